package dev.taskcert.server.variable;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableResponse;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysResponse;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetVariableResponse;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.authz.AuthorizationPolicy;
import dev.taskcert.server.authz.Authorizer;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.authz.Decision;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.PageTokens;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.taskinstance.LiveTryGuard;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Variable RPCs for a running task: it reads global variables and its own team's (within its DAG's
 * declarations), and writes and deletes only its own team's.
 */
public final class VariableService extends VariablesGrpc.VariablesImplBase {
  /** Longest variable key, in bytes. */
  public static final int MAX_KEY_BYTES = 250;
  /** Largest variable value, in bytes. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;
  /** Largest page of keys. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final Transactions transactions;
  private final LiveTryGuard guard;
  private final Authorizer authorizer;
  private final AuthorizationPolicy policy;
  private final boolean multiTeam;

  @Inject
  VariableService(Transactions transactions, LiveTryGuard guard, Authorizer authorizer,
      AuthorizationPolicy policy, ServerConfig config) {
    this.transactions = transactions;
    this.guard = guard;
    this.authorizer = authorizer;
    this.policy = policy;
    this.multiTeam = config.multiTeam();
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

  @Override
  public void setVariable(SetVariableRequest request, StreamObserver<SetVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      String value = RequestLimits.optionalText(request.getValue(), "value", MAX_VALUE_BYTES);
      String description = RequestLimits.optionalText(request.getDescription(), "description", 1024);
      guard.requireRunning(caller);
      CallerScope scope = authorizer.scopeOf(caller);
      transactions.withMapper(VariableMapper.class, mapper -> {
        VariableRow existing = mapper.find(key);
        authorizer.enforce(policy.writeVariable(scope, key, existing != null, existing == null ? null : existing.team()),
            caller, "variable:" + key);
        String team = existing != null ? existing.team() : scope.team();
        return mapper.upsert(key, value, description.isEmpty() ? null : description, team);
      });
      return SetVariableResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteVariable(DeleteVariableRequest request, StreamObserver<DeleteVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      guard.requireRunning(caller);
      CallerScope scope = authorizer.scopeOf(caller);
      int deleted = transactions.withMapper(VariableMapper.class, mapper -> {
        VariableRow existing = mapper.find(key);
        authorizer.enforce(policy.writeVariable(scope, key, existing != null, existing == null ? null : existing.team()),
            caller, "variable:" + key);
        return existing == null ? 0 : mapper.delete(key);
      });
      return DeleteVariableResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void listVariableKeys(ListVariableKeysRequest request, StreamObserver<ListVariableKeysResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String prefix = RequestLimits.optionalText(request.getPrefix(), "prefix", MAX_KEY_BYTES);
      int pageSize = PageTokens.pageSize(request.getPageSize(), MAX_PAGE_SIZE);
      String after = PageTokens.decode(request.getPageToken());
      guard.requireRunning(caller);
      CallerScope scope = authorizer.scopeOf(caller);
      List<String> page = transactions.withMapper(VariableMapper.class, mapper ->
          mapper.keys(likePrefix(prefix), after, scope.team(), !multiTeam, pageSize));
      ListVariableKeysResponse.Builder response = ListVariableKeysResponse.newBuilder();
      page.stream()
          .filter(key -> policy.variableDeclared(scope, key) instanceof Decision.Allow)
          .forEach(response::addKeys);
      if (page.size() == pageSize) {
        response.setNextPageToken(PageTokens.encode(page.get(page.size() - 1)));
      }
      return response.build();
    });
  }

  private static String likePrefix(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
