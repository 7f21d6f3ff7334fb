package dev.taskcert.server.authz;

import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import java.util.List;
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
   * global variables and the caller's own team's are readable; another team's is answered as if it
   * did not exist.
   */
  Decision readVariable(CallerScope caller, String key, String variableTeam) {
    if (!multiTeam || variableTeam == null || variableTeam.equals(caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.conceal("variable:" + key, NotFound.variable(key),
        "variable '" + key + "' belongs to team '" + variableTeam + "'; " + teamOf(caller));
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
      // The caller learns that it may not write the key, never who owns it.
      return Decision.deny("variable:" + key,
          "variable '" + key + "' may not be written by team '" + caller.team() + "'",
          "variable '" + key + "' belongs to "
              + (existingTeam == null ? "no team (global)" : "team '" + existingTeam + "'") + "; " + teamOf(caller));
    }
    return Decision.ALLOW;
  }

  /**
   * Whether the caller may read connection {@code connId} owned by {@code connectionTeam}
   * ({@code null} = global): the DAG's declaration (if any) must list it, and it must be global or
   * the caller's team's; another team's is answered as if it did not exist.
   */
  Decision readConnection(CallerScope caller, String connId, String connectionTeam) {
    if (caller.dag().declaresResources() && !caller.dag().allowedConnectionIds().contains(connId)) {
      return Decision.deny("connection:" + connId, "connection '" + connId + "' is not declared by DAG '" + caller.dag().dagId() + "'");
    }
    if (!multiTeam || connectionTeam == null || connectionTeam.equals(caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.conceal("connection:" + connId, NotFound.connection(connId),
        "connection '" + connId + "' belongs to team '" + connectionTeam + "'; " + teamOf(caller));
  }

  /**
   * Whether the caller's DAG's declared XCom read scope ({@code TEAM}, {@code SAME_DAG} or
   * {@code SAME_RUN}) reaches run {@code targetRunId} of DAG {@code targetDagId}. Decided from the
   * ids alone, before anything is looked up, so a refusal says nothing about whether the target
   * exists.
   */
  Decision xcomInReadScope(CallerScope caller, String targetDagId, String targetRunId, String resource) {
    String scope = caller.dag().xcomReadScope();
    boolean sameDag = caller.identity().dagId().equals(targetDagId);
    if ("SAME_DAG".equals(scope) && !sameDag) {
      return Decision.deny(resource, "DAG '" + caller.dag().dagId() + "' may read XComs of its own DAG only");
    }
    if ("SAME_RUN".equals(scope) && !(sameDag && caller.identity().runId().equals(targetRunId))) {
      return Decision.deny(resource, "DAG '" + caller.dag().dagId() + "' may read XComs of its own dag run only");
    }
    return Decision.ALLOW;
  }

  /**
   * Whether the caller's DAG's read scope reaches other runs than the caller's own, which is what
   * an XCom read with {@code include_prior_dates} searches: not under {@code SAME_RUN}.
   */
  boolean xcomOtherRunsInScope(CallerScope caller) {
    return !"SAME_RUN".equals(caller.dag().xcomReadScope());
  }

  /**
   * Whether the caller may read XComs of {@code targetDag}'s run {@code targetRunId}: within the
   * caller's DAG's read scope ({@link #xcomInReadScope}), and the target DAG must be global or the
   * caller's team's; another team's DAG is answered as if it were not registered.
   */
  Decision readXCom(CallerScope caller, DagOwnership targetDag, String targetRunId, String resource) {
    Decision inScope = xcomInReadScope(caller, targetDag.dagId(), targetRunId, resource);
    if (!inScope.allowed()) {
      return inScope;
    }
    if (!multiTeam || targetDag.team() == null || Objects.equals(targetDag.team(), caller.team())) {
      return Decision.ALLOW;
    }
    return Decision.conceal(resource, NotFound.dag(targetDag.dagId()), "XComs of DAG '" + targetDag.dagId()
        + "' belong to team '" + targetDag.team() + "'; " + teamOf(caller));
  }

  /**
   * Whether the caller may read runs and task instances of {@code target}: a DAG of its own team, a
   * global DAG, or one whose registration declares the caller's team among {@code readers}. Any
   * other DAG is answered as if it were not registered.
   */
  Decision readDag(CallerScope caller, DagOwnership target, List<String> readers) {
    if (!multiTeam || target.team() == null || Objects.equals(target.team(), caller.team())
        || (caller.team() != null && readers.contains(caller.team()))) {
      return Decision.ALLOW;
    }
    return Decision.conceal("dag:" + target.dagId(), NotFound.dag(target.dagId()), "DAG '" + target.dagId()
        + "' belongs to team '" + target.team() + "' and does not declare the caller's team readable; " + teamOf(caller));
  }

  /**
   * Whether the caller may trigger or clear runs of {@code target}: a DAG of its own team (a global
   * DAG only for a caller without a team), or one whose registration declares the caller's team
   * among {@code triggerers}. Another team's DAG is answered as if it were not registered; a global
   * DAG, which every task can read, is refused to a team's task without hiding it.
   */
  Decision triggerDag(CallerScope caller, DagOwnership target, List<String> triggerers) {
    if (!multiTeam || Objects.equals(target.team(), caller.team())
        || (caller.team() != null && triggerers.contains(caller.team()))) {
      return Decision.ALLOW;
    }
    if (target.team() == null) {
      return Decision.deny("dag:" + target.dagId(), "DAG '" + target.dagId() + "' is global and may not be triggered by team '"
          + caller.team() + "'");
    }
    return Decision.conceal("dag:" + target.dagId(), NotFound.dag(target.dagId()), "DAG '" + target.dagId()
        + "' belongs to team '" + target.team() + "' and does not declare the caller's team a triggerer; " + teamOf(caller));
  }

  /**
   * Which variables' owners the caller may list: everyone's when multi-team is off, otherwise
   * global variables and its own team's.
   */
  VariableVisibility visibleVariables(CallerScope caller) {
    return new VariableVisibility(caller.team(), !multiTeam);
  }

  /**
   * Whether the caller may see asset {@code assetName} (read it, its events and its store, and
   * record events for it) owned by {@code assetTeam} ({@code null} = global) and shared with
   * {@code sharedWith}: global assets, its own team's and those shared with its team; any other is
   * answered as if it did not exist ({@code notFoundMessage}).
   */
  Decision useAsset(CallerScope caller, String assetName, String assetTeam, java.util.List<String> sharedWith,
      String notFoundMessage) {
    if (!multiTeam || assetTeam == null || assetTeam.equals(caller.team())
        || (caller.team() != null && sharedWith.contains(caller.team()))) {
      return Decision.ALLOW;
    }
    return Decision.conceal("asset:" + assetName, notFoundMessage,
        "asset '" + assetName + "' belongs to team '" + assetTeam + "' and is not shared with the caller's team; "
            + teamOf(caller));
  }

  /** Whose assets' events the caller may list: everyone's when multi-team is off. */
  AssetVisibility visibleAssets(CallerScope caller) {
    return new AssetVisibility(caller.team(), !multiTeam);
  }

  private static String teamOf(CallerScope caller) {
    return "caller's team is " + (caller.team() == null ? "none" : "'" + caller.team() + "'");
  }
}
