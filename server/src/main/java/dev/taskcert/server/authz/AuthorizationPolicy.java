package dev.taskcert.server.authz;

import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import java.util.Objects;

/**
 * The scope rules for variables, connections and other tasks' XComs, as pure decisions over facts
 * the {@link ResourceGate} loads; only the gate calls them. Who may call which RPC, in which try
 * state, is not here but in each method's declared rule, enforced by the front door.
 *
 * <p>Team rules are skipped when multi-team is off; declarations, XCom write ownership (which the
 * services take from the certificate) and the task-state gate always apply.
 */
final class AuthorizationPolicy {
  private final boolean multiTeam;

  @Inject
  AuthorizationPolicy(ServerConfig config) {
    this.multiTeam = config.multiTeam();
  }

  /**
   * Whether the caller's DAG allows reading variable {@code key}: always, unless the DAG declares
   * its resources and no declared pattern matches.
   */
  Decision variableDeclared(CallerScope caller, String key) {
    if (!caller.dag().declaresResources()) {
      return Decision.ALLOW;
    }
    for (String pattern : caller.dag().allowedVariablePatterns()) {
      if (Glob.matches(pattern, key)) {
        return Decision.ALLOW;
      }
    }
    return Decision.deny("variable:" + key, "variable '" + key + "' is not declared by DAG '" + caller.dag().dagId() + "'");
  }

  /**
   * Whether the caller may read a variable owned by {@code variableTeam} ({@code null} = global):
   * global variables and the caller's own team's are readable.
   */
  Decision readVariable(CallerScope caller, String key, String variableTeam) {
    if (!multiTeam || variableTeam == null || variableTeam.equals(caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.deny("variable:" + key, "variable '" + key + "' belongs to team '" + variableTeam + "'; " + teamOf(caller));
  }

  /**
   * Whether the caller may create, replace or delete variable {@code key}, currently owned by
   * {@code existingTeam} ({@code null} when global), or {@code exists=false} when it does not exist:
   * only its own team's variables, and new ones become its team's. A caller without a team may not
   * write at all while multi-team is on.
   */
  Decision writeVariable(CallerScope caller, String key, boolean exists, String existingTeam) {
    if (!multiTeam) {
      return Decision.ALLOW;
    }
    if (caller.team() == null) {
      return Decision.deny("variable:" + key, "variable '" + key + "' cannot be written: the caller's DAG belongs to no team");
    }
    if (exists && !caller.team().equals(existingTeam)) {
      return Decision.deny("variable:" + key, "variable '" + key + "' belongs to "
          + (existingTeam == null ? "no team (global)" : "team '" + existingTeam + "'") + "; " + teamOf(caller));
    }
    return Decision.ALLOW;
  }

  /**
   * Whether the caller may read connection {@code connId} owned by {@code connectionTeam}
   * ({@code null} = global): the DAG's declaration (if any) must list it, and it must be global or
   * the caller's team's.
   */
  Decision readConnection(CallerScope caller, String connId, String connectionTeam) {
    if (caller.dag().declaresResources() && !caller.dag().allowedConnectionIds().contains(connId)) {
      return Decision.deny("connection:" + connId, "connection '" + connId + "' is not declared by DAG '" + caller.dag().dagId() + "'");
    }
    if (!multiTeam || connectionTeam == null || connectionTeam.equals(caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.deny("connection:" + connId, "connection '" + connId + "' belongs to team '" + connectionTeam + "'; " + teamOf(caller));
  }

  /**
   * Whether the caller may read XComs of {@code targetDag}'s run {@code targetRunId}: the target DAG
   * must be global or the caller's team's, and within the caller's DAG's declared read scope
   * ({@code TEAM}, {@code SAME_DAG} or {@code SAME_RUN}).
   */
  Decision readXCom(CallerScope caller, DagOwnership targetDag, String targetRunId, String resource) {
    String scope = caller.dag().xcomReadScope();
    boolean sameDag = caller.identity().dagId().equals(targetDag.dagId());
    if ("SAME_DAG".equals(scope) && !sameDag) {
      return Decision.deny(resource, "DAG '" + caller.dag().dagId() + "' may read XComs of its own DAG only");
    }
    if ("SAME_RUN".equals(scope) && !(sameDag && caller.identity().runId().equals(targetRunId))) {
      return Decision.deny(resource, "DAG '" + caller.dag().dagId() + "' may read XComs of its own dag run only");
    }
    if (!multiTeam || targetDag.team() == null || Objects.equals(targetDag.team(), caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.deny(resource, "XComs of DAG '" + targetDag.dagId() + "' belong to team '" + targetDag.team() + "'; "
        + teamOf(caller));
  }

  /**
   * Which variables' owners the caller may list: everyone's when multi-team is off, otherwise
   * global variables and its own team's.
   */
  VariableVisibility visibleVariables(CallerScope caller) {
    return new VariableVisibility(caller.team(), !multiTeam);
  }

  private static String teamOf(CallerScope caller) {
    return "caller's team is " + (caller.team() == null ? "none" : "'" + caller.team() + "'");
  }
}
