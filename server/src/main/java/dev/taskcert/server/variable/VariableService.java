package dev.taskcert.server.variable;

import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableResponse;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysResponse;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetVariableResponse;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.authz.VariableVisibility;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.authz.NotFound;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.PageTokens;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Variable RPCs for a running task: it reads global variables and its own team's (within its DAG's
 * declarations), and writes and deletes only its own team's. The front door has admitted the
 * caller and its try; every scope decision is the {@link ResourceGate}'s.
 */
public final class VariableService extends VariablesGrpc.VariablesImplBase {
  /** Longest variable key, in bytes. */
  public static final int MAX_KEY_BYTES = 250;
  /** Largest variable value, in bytes. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;
  /** Largest page of keys. */
  public static final int MAX_PAGE_SIZE = 1000;
  /** How often a write re-reads a variable that changed owner between its check and its write. */
  private static final int MAX_WRITE_ATTEMPTS = 3;

  private final Transactions transactions;
  private final ResourceGate gate;

  @Inject
  VariableService(Transactions transactions, ResourceGate gate) {
    this.transactions = transactions;
    this.gate = gate;
  }

  @Override
  public void getVariable(GetVariableRequest request, StreamObserver<GetVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      // Undeclared keys are refused before revealing whether they exist.
      gate.variableDeclared(key).require();
      VariableRow variable = transactions.oneStatement(VariableMapper.class, mapper -> mapper.find(key));
      if (variable == null) {
        throw Refusal.notFound(NotFound.variable(key));
      }
      gate.readVariable(key, variable.team()).require();
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
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      String value = RequestLimits.optionalText(request.getValue(), "value", MAX_VALUE_BYTES);
      String description = RequestLimits.optionalText(request.getDescription(), "description", 1024);
      CallerScope scope = gate.callerScope();
      transactions.withMapper(VariableMapper.class, mapper -> {
        for (int attempt = 1; ; attempt++) {
          VariableRow existing = mapper.find(key);
          gate.writeVariable(scope, key, existing != null, existing == null ? null : existing.team()).require();
          String team = existing != null ? existing.team() : scope.team();
          // Written only if the row is still owned by the team just authorized against; otherwise
          // another writer got there first, and the next round decides against its row.
          if (mapper.upsertOwned(key, value, description.isEmpty() ? null : description, team) > 0) {
            return 1;
          }
          if (attempt == MAX_WRITE_ATTEMPTS) {
            throw Refusal.precondition("variable '" + key + "' keeps changing concurrently; retry");
          }
        }
      });
      return SetVariableResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteVariable(DeleteVariableRequest request, StreamObserver<DeleteVariableResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      CallerScope scope = gate.callerScope();
      int deleted = transactions.withMapper(VariableMapper.class, mapper -> {
        VariableRow existing = mapper.find(key);
        gate.writeVariable(scope, key, existing != null, existing == null ? null : existing.team()).require();
        return existing == null ? 0 : mapper.deleteOwned(key, existing.team());
      });
      return DeleteVariableResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void listVariableKeys(ListVariableKeysRequest request, StreamObserver<ListVariableKeysResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String prefix = RequestLimits.optionalText(request.getPrefix(), "prefix", MAX_KEY_BYTES);
      int pageSize = PageTokens.pageSize(request.getPageSize(), MAX_PAGE_SIZE);
      String after = PageTokens.decode(request.getPageToken());
      VariableVisibility visible = gate.visibleVariables();
      List<String> page = transactions.withMapper(VariableMapper.class, mapper ->
          mapper.keys(likePrefix(prefix), after, visible.team(), visible.allTeams(), pageSize));
      ListVariableKeysResponse.Builder response = ListVariableKeysResponse.newBuilder();
      page.stream().filter(key -> gate.variableDeclared(key).allowed()).forEach(response::addKeys);
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
