package dev.taskcert.server.variable;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.authz.AuthorizationPolicy;
import dev.taskcert.server.authz.Authorizer;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.taskinstance.LiveTryGuard;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;

/**
 * Variable RPCs: a running task reads global variables and its own team's, within its DAG's
 * declarations.
 */
public final class VariableService extends VariablesGrpc.VariablesImplBase {
  /** Longest variable key, in bytes. */
  public static final int MAX_KEY_BYTES = 250;

  private final Transactions transactions;
  private final LiveTryGuard guard;
  private final Authorizer authorizer;
  private final AuthorizationPolicy policy;

  @Inject
  VariableService(
      Transactions transactions,
      LiveTryGuard guard,
      Authorizer authorizer,
      AuthorizationPolicy policy) {
    this.transactions = transactions;
    this.guard = guard;
    this.authorizer = authorizer;
    this.policy = policy;
  }

  @Override
  public void getVariable(GetVariableRequest request, StreamObserver<GetVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      String resource = "variable:" + key;
      guard.requireRunning(caller);
      CallerScope scope = authorizer.scopeOf(caller);
      authorizer.enforce(policy.variableDeclared(scope, key), caller, resource);
      VariableRow variable = transactions.withMapper(VariableMapper.class, mapper -> mapper.find(key));
      if (variable == null) {
        throw Status.NOT_FOUND.withDescription("variable '" + key + "' does not exist").asRuntimeException();
      }
      authorizer.enforce(policy.readVariable(scope, key, variable.team()), caller, resource);
      GetVariableResponse.Builder response =
          GetVariableResponse.newBuilder().setKey(variable.key()).setValue(variable.value());
      if (variable.team() != null) {
        response.setTeam(variable.team());
      }
      return response.build();
    });
  }
}
