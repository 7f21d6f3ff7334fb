package dev.taskcert.server.taskquery;

import dev.taskcert.proto.execution.v1.GetRescheduleStartDateRequest;
import dev.taskcert.proto.execution.v1.GetRescheduleStartDateResponse;
import dev.taskcert.proto.execution.v1.SetRenderedMapIndexRequest;
import dev.taskcert.proto.execution.v1.SetRenderedMapIndexResponse;
import dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.TryGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Instant;

/** The caller's own try's rendered map index and first reschedule, taken from its certificate. */
public final class TaskInstanceDetailsService extends TaskInstanceDetailsGrpc.TaskInstanceDetailsImplBase {
  private final Transactions transactions;
  private final TryGate gate;
  private final CurrentCall call;

  @Inject
  TaskInstanceDetailsService(Transactions transactions, TryGate gate, CurrentCall call) {
    this.transactions = transactions;
    this.gate = gate;
    this.call = call;
  }

  @Override
  public void setRenderedMapIndex(SetRenderedMapIndexRequest request, StreamObserver<SetRenderedMapIndexResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String value = RequestLimits.requireText(request.getRenderedMapIndex(), "rendered_map_index", 250);
      transactions.inTransaction(session -> {
        TaskInstanceRow row = gate.lock(session).row();
        return session.getMapper(TaskQueryMapper.class).setRenderedMapIndex(row.id(), row.tryNumber(), value);
      });
      return SetRenderedMapIndexResponse.getDefaultInstance();
    });
  }

  @Override
  public void getRescheduleStartDate(GetRescheduleStartDateRequest request,
      StreamObserver<GetRescheduleStartDateResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskInstanceRow row = call.admittedTry();
      Instant start = transactions.withMapper(TaskQueryMapper.class,
          mapper -> mapper.firstRescheduleStart(row.id(), row.tryNumber()));
      GetRescheduleStartDateResponse.Builder response = GetRescheduleStartDateResponse.newBuilder();
      if (start != null) {
        response.setStartDate(Timestamps.of(start));
      }
      return response.build();
    });
  }
}
