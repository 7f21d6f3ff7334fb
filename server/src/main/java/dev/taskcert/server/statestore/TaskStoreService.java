package dev.taskcert.server.statestore;

import dev.taskcert.proto.execution.v1.ClearTaskStoreRequest;
import dev.taskcert.proto.execution.v1.ClearTaskStoreResponse;
import dev.taskcert.proto.execution.v1.DeleteTaskStoreValueRequest;
import dev.taskcert.proto.execution.v1.DeleteTaskStoreValueResponse;
import dev.taskcert.proto.execution.v1.GetTaskStoreValueRequest;
import dev.taskcert.proto.execution.v1.GetTaskStoreValueResponse;
import dev.taskcert.proto.execution.v1.SetTaskStoreValueRequest;
import dev.taskcert.proto.execution.v1.SetTaskStoreValueResponse;
import dev.taskcert.proto.execution.v1.TaskStoreGrpc;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;

/**
 * The caller's own task instance's state store: the task instance is the one the front door
 * admitted from the certificate (its id is stable across tries), never one the request names.
 */
public final class TaskStoreService extends TaskStoreGrpc.TaskStoreImplBase {
  private final Transactions transactions;
  private final CurrentCall call;
  private final Clock clock;

  @Inject
  TaskStoreService(Transactions transactions, CurrentCall call, Clock clock) {
    this.transactions = transactions;
    this.call = call;
    this.clock = clock;
  }

  @Override
  public void getTaskStoreValue(GetTaskStoreValueRequest request, StreamObserver<GetTaskStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      long ti = call.admittedTry().id();
      String value = transactions.withMapper(StoreMapper.class, mapper -> mapper.taskValue(ti, key, clock.instant()));
      if (value == null) {
        throw Refusal.notFound("task store key '" + key + "' not found");
      }
      return GetTaskStoreValueResponse.newBuilder().setValueJson(value).build();
    });
  }

  @Override
  public void setTaskStoreValue(SetTaskStoreValueRequest request, StreamObserver<SetTaskStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      String value = StoreValues.value(request.getValueJson());
      Instant expiresAt = request.hasExpiresAt() ? Timestamps.toInstant(request.getExpiresAt(), "expires_at") : null;
      if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
        throw RequestLimits.invalid("expires_at must be in the future");
      }
      long ti = call.admittedTry().id();
      transactions.withMapper(StoreMapper.class, mapper -> mapper.setTaskValue(ti, key, value, expiresAt));
      return SetTaskStoreValueResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteTaskStoreValue(DeleteTaskStoreValueRequest request,
      StreamObserver<DeleteTaskStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      long ti = call.admittedTry().id();
      int deleted = transactions.withMapper(StoreMapper.class, mapper -> mapper.deleteTaskValue(ti, key));
      return DeleteTaskStoreValueResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void clearTaskStore(ClearTaskStoreRequest request, StreamObserver<ClearTaskStoreResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      long ti = call.admittedTry().id();
      int deleted = transactions.withMapper(StoreMapper.class, mapper ->
          request.getAllMapIndices() ? mapper.clearTaskAllMapIndices(ti) : mapper.clearTask(ti));
      return ClearTaskStoreResponse.newBuilder().setDeleted(deleted).build();
    });
  }
}
