package dev.taskcert.server.liveness;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.revocation.RevocationCache;
import dev.taskcert.server.taskinstance.TaskInstanceCache;
import dev.taskcert.server.taskinstance.TaskState;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.ibatis.session.SqlSession;

/**
 * The one way a try is ended from outside it — by the liveness sweep, by the end of its dag run,
 * or by an admin: its state becomes final and every certificate of the try is revoked in the same
 * transaction, so a stolen key stops working on every replica as soon as it commits.
 */
public final class TryEnding {
  private final RevocationCache revocations;
  private final TaskInstanceCache instances;
  private final AuditLog audit;

  @Inject
  TryEnding(RevocationCache revocations, TaskInstanceCache instances, AuditLog audit) {
    this.revocations = revocations;
    this.instances = instances;
    this.audit = audit;
  }

  /** Ends one locked try in {@code session}'s transaction; call {@link #announce} once it commits. */
  public EndedTry end(SqlSession session, EndingTry locked, TaskState state, String reason) {
    TryEndingMapper mapper = session.getMapper(TryEndingMapper.class);
    mapper.end(locked.id(), locked.tryNumber(), state.name());
    List<String> serials = mapper.revokeCertificates(locked.id(), locked.tryNumber(), reason);
    return new EndedTry(locked, state, reason, serials);
  }

  /** Ends each locked try with the state {@code stateOf} gives it. */
  public List<EndedTry> endAll(SqlSession session, List<EndingTry> locked,
      Function<EndingTry, TaskState> stateOf, Function<EndingTry, String> reasonOf) {
    List<EndedTry> ended = new ArrayList<>();
    for (EndingTry one : locked) {
      ended.add(end(session, one, stateOf.apply(one), reasonOf.apply(one)));
    }
    return ended;
  }

  /**
   * After the ending transaction committed: this replica's caches learn it at once (the others
   * through NOTIFY), and each ended try gets one audit record naming who ended it and why.
   */
  public void announce(List<EndedTry> ended, String principal, String rpc) {
    for (EndedTry one : ended) {
      one.revokedSerials().forEach(revocations::markRevoked);
      instances.invalidate(one.before().identity());
      EndingTry before = one.before();
      audit.record(AuditKind.END, principal, rpc,
          "task_try:" + before.dagId() + "/" + before.runId() + "/" + before.taskId() + "/" + before.mapIndex()
              + "/" + before.tryNumber(),
          before.state() + " -> " + one.state() + "; " + one.revokedSerials().size() + " certificate(s) revoked; "
              + one.reason());
    }
  }
}
