package dev.taskcert.server.catalog;

import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Registers what tasks run and who owns it: teams, DAG bundles, DAGs and dag runs. Every method is
 * idempotent so the control plane can repeat itself safely.
 */
public final class Catalog {
  private final Transactions transactions;

  @Inject
  Catalog(Transactions transactions) {
    this.transactions = transactions;
  }

  /** Creates a team; returns whether it was new. */
  public boolean registerTeam(String name) {
    return transactions.withMapper(CatalogMapper.class, mapper -> mapper.insertTeam(name) != null);
  }

  /**
   * Creates or re-assigns a bundle.
   *
   * @param team owning team, or {@code null} for a bundle whose DAGs are global
   */
  public void registerBundle(String name, String team) {
    transactions.withMapper(CatalogMapper.class, mapper -> {
      Long teamId = null;
      if (team != null) {
        teamId = mapper.teamId(team);
        if (teamId == null) {
          throw Refusal.notFound("team '" + team + "' does not exist");
        }
      }
      return mapper.upsertBundle(name, teamId);
    });
  }

  /** Creates or updates a DAG that declares no structure (removing an earlier declaration). */
  public void registerDag(DagRegistration dag) {
    registerDag(dag, DagStructure.NONE);
  }

  /**
   * Creates or updates a DAG and replaces its declared structure ({@link DagStructure#NONE}: none),
   * in one transaction.
   */
  public void registerDag(DagRegistration dag, DagStructure structure) {
    registerDag(dag, structure, List.of(), List.of(), false);
  }

  /**
   * Creates or updates a DAG, replacing its declared structure, the other teams that may read
   * ({@code readers}) and trigger ({@code triggerers}) its runs, and whether it is paused, in one
   * transaction.
   */
  public void registerDag(DagRegistration dag, DagStructure structure, List<String> readers, List<String> triggerers,
      boolean paused) {
    transactions.inTransaction(session -> {
      session.getMapper(CatalogMapper.class).upsertDag(dag);
      session.getMapper(DagAccessMapper.class).setPaused(dag.dagId(), paused);
      CrossTeamAccess.replace(session, dag.dagId(), readers, triggerers);
      DagStructureMapper tasks = session.getMapper(DagStructureMapper.class);
      tasks.deleteTasks(dag.dagId());
      return structure.declared() ? tasks.insertTasks(dag.dagId(), structure.tasks()) : 0;
    });
  }

  /** Creates a dag run if it does not exist yet; returns whether it was new. */
  public boolean createDagRun(String dagId, String runId, Instant logicalDate, String runType) {
    return transactions.withMapper(CatalogMapper.class,
        mapper -> mapper.insertDagRun(dagId, runId, logicalDate, logicalDate, logicalDate, runType, "{}") != null);
  }
}
