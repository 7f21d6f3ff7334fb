package dev.taskcert.server.asset;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.AssetOutlet;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.authz.NotFound;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.ibatis.session.SqlSession;

/**
 * The asset events a task records for its outlets when it succeeds. {@link #prepare} checks the
 * outlets and decides, through the {@link ResourceGate}, that the caller may produce each asset,
 * before the finishing transaction opens; {@link Prepared#record} writes the events inside it, so
 * they exist exactly when the try's SUCCESS does.
 */
public final class AssetOutlets {
  /** Most outlet events one FinishTask records. */
  public static final int MAX_OUTLETS = 100;

  private final Transactions transactions;
  private final ResourceGate gate;

  @Inject
  AssetOutlets(Transactions transactions, ResourceGate gate) {
    this.transactions = transactions;
    this.gate = gate;
  }

  /**
   * Checks {@code outlets} of a FinishTask to {@code success} or not, and resolves their assets.
   *
   * @throws Refusal INVALID_ARGUMENT for outlets with another state than SUCCESS or out of bounds;
   *     NOT_FOUND for an asset that does not exist or that the caller may not see (the same words)
   */
  public Prepared prepare(List<AssetOutlet> outlets, boolean success) {
    if (outlets.isEmpty()) {
      return Prepared.NONE;
    }
    if (!success) {
      throw RequestLimits.invalid("outlets are recorded with state SUCCESS only");
    }
    if (outlets.size() > MAX_OUTLETS) {
      throw RequestLimits.invalid("at most " + MAX_OUTLETS + " outlets");
    }
    List<Event> events = new ArrayList<>();
    for (AssetOutlet outlet : outlets) {
      AssetRefs.require(outlet.getAsset(), "outlets.asset");
      String extra = JsonValues.requireJsonObject(outlet.getExtraJson(), "outlets.extra_json", AssetRefs.MAX_EXTRA_BYTES);
      String alias = RequestLimits.optionalText(outlet.getAlias(), "outlets.alias", AssetRefs.MAX_NAME_BYTES);
      events.add(new Event(outlet.getAsset().getName(), outlet.getAsset().getUri(), extra, alias.isEmpty() ? null : alias));
    }
    CallerScope scope = gate.callerScope();
    List<Resolved> resolved = transactions.withMapper(AssetMapper.class, mapper -> {
      List<Resolved> found = new ArrayList<>();
      for (Event event : events) {
        AssetRow asset = mapper.find(event.name(), event.uri());
        String notFound = NotFound.asset(event.name(), event.uri());
        if (asset == null) {
          throw Refusal.notFound(notFound);
        }
        found.add(new Resolved(asset, event));
      }
      return found;
    });
    for (Resolved each : resolved) {
      gate.useAsset(scope, each.asset().name(), each.asset().team(), each.asset().sharedWithTeams(),
          NotFound.asset(each.event().name(), each.event().uri())).require();
    }
    return new Prepared(scope.identity(), resolved);
  }

  private record Event(String name, String uri, String extra, String alias) {}

  private record Resolved(AssetRow asset, Event event) {}

  /** Outlet events checked and resolved, to record in the finishing transaction. */
  public static final class Prepared {
    static final Prepared NONE = new Prepared(null, List.of());

    private final TaskIdentity source;
    private final List<Resolved> events;

    private Prepared(TaskIdentity source, List<Resolved> events) {
      this.source = source;
      this.events = events;
    }

    /** Records the events in {@code session}'s transaction, stamped {@code when}. */
    public void record(SqlSession session, Instant when) {
      if (events.isEmpty()) {
        return;
      }
      AssetMapper mapper = session.getMapper(AssetMapper.class);
      for (Resolved each : events) {
        long eventId = mapper.insertEvent(each.asset().id(), each.event().extra(), source.dagId(), source.runId(),
            source.taskId(), source.mapIndex(), when);
        if (each.event().alias() != null) {
          mapper.linkAlias(mapper.aliasId(each.event().alias()), eventId);
        }
      }
    }
  }
}
