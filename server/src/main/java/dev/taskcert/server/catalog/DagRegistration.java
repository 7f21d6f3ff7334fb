package dev.taskcert.server.catalog;

import java.util.List;

/**
 * A DAG as the control plane registers it.
 *
 * @param declaresResources when true, only the listed connections and variable patterns are readable
 * @param xcomReadScope one of {@code TEAM}, {@code SAME_DAG}, {@code SAME_RUN}
 */
public record DagRegistration(
    String dagId,
    String bundle,
    boolean declaresResources,
    List<String> allowedConnectionIds,
    List<String> allowedVariablePatterns,
    String xcomReadScope) {

  public DagRegistration {
    allowedConnectionIds = List.copyOf(allowedConnectionIds);
    allowedVariablePatterns = List.copyOf(allowedVariablePatterns);
  }
}
