package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.catalog.DagOwnership;

/**
 * What authorization knows about a calling task: its identity (from the certificate) and its DAG's
 * owner and declarations (from the database, at request time).
 */
public record CallerScope(TaskIdentity identity, DagOwnership dag) {

  /** The caller's team, or {@code null} when its DAG belongs to no team. */
  public String team() {
    return dag.team();
  }
}
