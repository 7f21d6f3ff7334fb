package dev.taskcert.server.catalog;

import java.util.List;

/**
 * A DAG as the control plane registers it.
 *
 * @param declaresResources when true, only the listed connections and variable patterns are readable
 * @param xcomReadScope one of {@code TEAM}, {@code SAME_DAG}, {@code SAME_RUN}
 * @param maxTryDurationSeconds the DAG's own bound on a try's duration, or {@code null} for the
 *     server's; the shorter of the two applies
 */
public record DagRegistration(
    String dagId,
    String bundle,
    boolean declaresResources,
    List<String> allowedConnectionIds,
    List<String> allowedVariablePatterns,
    String xcomReadScope,
    Long maxTryDurationSeconds) {

  public DagRegistration {
    allowedConnectionIds = List.copyOf(allowedConnectionIds);
    allowedVariablePatterns = List.copyOf(allowedVariablePatterns);
    if (maxTryDurationSeconds != null && maxTryDurationSeconds <= 0) {
      throw new IllegalArgumentException("a DAG's maximum try duration must be positive");
    }
  }

  /** A DAG that takes the server's bound on a try's duration. */
  public DagRegistration(String dagId, String bundle, boolean declaresResources, List<String> allowedConnectionIds,
      List<String> allowedVariablePatterns, String xcomReadScope) {
    this(dagId, bundle, declaresResources, allowedConnectionIds, allowedVariablePatterns, xcomReadScope, null);
  }
}
