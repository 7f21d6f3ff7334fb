package dev.taskcert.server.hitl;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.proto.admin.v1.HitlAdminGrpc;
import dev.taskcert.proto.admin.v1.RespondHitlRequest;
import dev.taskcert.proto.admin.v1.RespondHitlResponse;
import dev.taskcert.proto.execution.v1.HitlDetailAnswer;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Clock;

/** A human's answer to a task instance's question, recorded by the control plane; audited. */
public final class HitlAdminService extends HitlAdminGrpc.HitlAdminImplBase {
  private final Transactions transactions;
  private final AuditLog audit;
  private final CurrentCall call;
  private final Clock clock;

  @Inject
  HitlAdminService(Transactions transactions, AuditLog audit, CurrentCall call, Clock clock) {
    this.transactions = transactions;
    this.audit = audit;
    this.call = call;
    this.clock = clock;
  }

  @Override
  public void respondHitl(RespondHitlRequest request, StreamObserver<RespondHitlResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      AdminIdentity admin = call.admin(); // before anything changes
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      String taskId = RequestLimits.requireText(request.getTaskId(), "task_id", 250);
      if (request.getMapIndex() < -1) {
        throw RequestLimits.invalid("map_index must be -1 or more");
      }
      String user = RequestLimits.requireText(request.getUserId(), "user_id", 250);
      HitlDetailAnswer answer = transactions.inTransaction(session -> {
        Long ti = session.getMapper(HitlMapper.class).taskInstanceId(dagId, runId, taskId, request.getMapIndex());
        if (ti == null) {
          throw Refusal.notFound(HitlAnswers.notFound());
        }
        return HitlAnswers.respond(session, ti, request.getChosenOptionsList(), request.getParamsInputJson(), user,
            clock.instant());
      });
      audit.record(AuditKind.ADMIN, call.callerId(), call.method(),
          "hitl:" + dagId + "/" + runId + "/" + taskId + "/" + request.getMapIndex(),
          "by admin " + admin.name() + " for user '" + user + "'");
      return RespondHitlResponse.newBuilder().setAnswer(answer).build();
    });
  }
}
