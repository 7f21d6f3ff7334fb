package dev.taskcert.server.authz;

import dev.taskcert.server.catalog.CrossTeamAccess;
import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.catalog.OwnershipCache;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;

/**
 * The one gate every scope check of a task's call goes through: variables, connections and other
 * tasks' XComs. Each check loads what the {@link AuthorizationPolicy} decides on (the caller's DAG,
 * its team and declarations; the target DAG), returns the {@link Decision}, and records on the
 * call that a decision was made, which the front door requires before a scoped method answers.
 * A denial becomes a refusal through {@link Decision#require()}, audited at the edge.
 */
public final class ResourceGate {
  private final AuthorizationPolicy policy;
  private final OwnershipCache ownership;
  private final CurrentCall call;
  private final CrossTeamAccess crossTeam;

  @Inject
  ResourceGate(AuthorizationPolicy policy, OwnershipCache ownership, CurrentCall call, CrossTeamAccess crossTeam) {
    this.policy = policy;
    this.ownership = ownership;
    this.call = call;
    this.crossTeam = crossTeam;
  }

  /** Whether the caller's DAG declares variable {@code key}, or declares nothing. */
  public Decision variableDeclared(String key) {
    return decided(policy.variableDeclared(scope(), key));
  }

  /** Whether the caller may read variable {@code key} owned by {@code team} ({@code null} = global). */
  public Decision readVariable(String key, String team) {
    CallerScope scope = scope();
    Decision declared = policy.variableDeclared(scope, key);
    return decided(declared.allowed() ? policy.readVariable(scope, key, team) : declared);
  }

  /**
   * The calling task with its DAG's owner and declarations, loaded now: for a decision that must be
   * made inside a transaction, so that the transaction never waits on a second connection.
   */
  public CallerScope callerScope() {
    return scope();
  }

  /**
   * Whether the caller ({@code scope}, from {@link #callerScope()}) may create, replace or delete
   * variable {@code key}, which exists or not and is owned by {@code team} ({@code null} = global).
   */
  public Decision writeVariable(CallerScope scope, String key, boolean exists, String team) {
    return decided(policy.writeVariable(scope, key, exists, team));
  }

  /** Whose variables the caller may list; keys must still pass {@link #variableDeclared}. */
  public VariableVisibility visibleVariables() {
    VariableVisibility visibility = policy.visibleVariables(scope());
    call.scopeDecided();
    return visibility;
  }

  /** Whether the caller may read connection {@code connId} owned by {@code team} ({@code null} = global). */
  public Decision readConnection(String connId, String team) {
    return decided(policy.readConnection(scope(), connId, team));
  }

  /**
   * Whether the caller may read XComs of dag run {@code runId} of {@code dagId}. The read scope is
   * decided first, from the ids alone; a DAG that is not registered and another team's DAG are then
   * answered alike (NOT_FOUND, the same description).
   *
   * @throws Refusal NOT_FOUND when the target DAG is not registered
   */
  public Decision readXCom(String dagId, String runId, String resource) {
    CallerScope scope = scope();
    Decision inScope = policy.xcomInReadScope(scope, dagId, runId, resource);
    if (!inScope.allowed()) {
      return decided(inScope);
    }
    DagOwnership target = ownership.find(dagId).orElse(null);
    if (target == null) {
      call.scopeDecided();
      throw Refusal.notFound(NotFound.dag(dagId));
    }
    return decided(policy.readXCom(scope, target, runId, resource));
  }

  /**
   * Whether the caller may read runs and task instances of DAG {@code dagId}; a DAG that is not
   * registered and another team's DAG that does not declare the caller's team are answered alike
   * (NOT_FOUND, the same description).
   *
   * @throws Refusal NOT_FOUND when the DAG is not registered
   */
  public Decision readDag(String dagId) {
    CallerScope scope = scope();
    DagOwnership target = target(dagId);
    return decided(policy.readDag(scope, target, crossTeam.teams(dagId, CrossTeamAccess.Access.READ)));
  }

  /**
   * Whether the caller may trigger or clear runs of DAG {@code dagId}; a DAG that is not registered
   * and another team's DAG that does not declare the caller's team are answered alike.
   *
   * @throws Refusal NOT_FOUND when the DAG is not registered
   */
  public Decision triggerDag(String dagId) {
    CallerScope scope = scope();
    DagOwnership target = target(dagId);
    return decided(policy.triggerDag(scope, target, crossTeam.teams(dagId, CrossTeamAccess.Access.TRIGGER)));
  }

  private DagOwnership target(String dagId) {
    DagOwnership target = ownership.find(dagId).orElse(null);
    if (target == null) {
      call.scopeDecided();
      throw Refusal.notFound(NotFound.dag(dagId));
    }
    return target;
  }

  /**
   * Whether the caller's XCom read scope reaches runs other than its own, so that a read with
   * {@code include_prior_dates} may search earlier runs; each value found must still pass
   * {@link #readXCom} for the run it came from.
   */
  public boolean xcomOtherRunsInScope() {
    return policy.xcomOtherRunsInScope(scope());
  }

  /**
   * Whether the caller may see asset {@code assetName}, owned by {@code assetTeam} ({@code null} =
   * global) and shared with {@code sharedWith}; a refusal reads {@code notFoundMessage}, the words
   * an absent asset gets.
   */
  public Decision useAsset(String assetName, String assetTeam, java.util.List<String> sharedWith,
      String notFoundMessage) {
    return decided(policy.useAsset(scope(), assetName, assetTeam, sharedWith, notFoundMessage));
  }

  /** The same decision for a caller loaded before, by {@link #callerScope()}. */
  public Decision useAsset(CallerScope scope, String assetName, String assetTeam, java.util.List<String> sharedWith,
      String notFoundMessage) {
    return decided(policy.useAsset(scope, assetName, assetTeam, sharedWith, notFoundMessage));
  }

  /** Whose assets the caller may see, for a listing filtered in the query itself. */
  public AssetVisibility visibleAssets() {
    AssetVisibility visibility = policy.visibleAssets(scope());
    call.scopeDecided();
    return visibility;
  }

  /** Records that the call answers from nothing but what the caller may see (an absent asset). */
  public void nothingToDecide() {
    call.scopeDecided();
  }

  /** The calling task and its DAG's owner and declarations; an unregistered DAG is refused. */
  private CallerScope scope() {
    var caller = call.task();
    DagOwnership dag = call.callerDag(() -> ownership.find(caller.dagId())).orElse(null);
    if (dag == null) {
      call.scopeDecided();
      throw Refusal.denied("dag:" + caller.dagId(), "DAG '" + caller.dagId() + "' is not registered");
    }
    return new CallerScope(caller, dag);
  }

  private Decision decided(Decision decision) {
    call.scopeDecided();
    return decision;
  }
}
