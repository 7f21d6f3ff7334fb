package dev.taskcert.server.catalog;

import java.util.List;

/**
 * Who owns a DAG and what it declares: the facts authorization reads for a caller.
 *
 * @param team the owning team's name, or {@code null} when the DAG's bundle has no team
 */
public record DagOwnership(
    String dagId,
    String team,
    boolean declaresResources,
    List<String> allowedConnectionIds,
    List<String> allowedVariablePatterns,
    String xcomReadScope) {

  public DagOwnership {
    allowedConnectionIds = allowedConnectionIds == null ? List.of() : List.copyOf(allowedConnectionIds);
    allowedVariablePatterns =
        allowedVariablePatterns == null ? List.of() : List.copyOf(allowedVariablePatterns);
  }
}
