package dev.taskcert.server.asset;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.execution.v1.AssetRef;
import dev.taskcert.proto.execution.v1.AssetsGrpc;
import dev.taskcert.proto.execution.v1.GetAssetByNameRequest;
import dev.taskcert.proto.execution.v1.GetAssetByUriRequest;
import dev.taskcert.proto.execution.v1.GetAssetEventsByAliasRequest;
import dev.taskcert.proto.execution.v1.GetAssetEventsRequest;
import dev.taskcert.proto.execution.v1.AssetEvent;
import dev.taskcert.proto.execution.v1.GetAssetByNameResponse;
import dev.taskcert.proto.execution.v1.GetAssetByUriResponse;
import dev.taskcert.proto.execution.v1.GetAssetEventsByAliasResponse;
import dev.taskcert.proto.execution.v1.GetAssetEventsResponse;
import dev.taskcert.proto.execution.v1.ValidateInletsAndOutletsRequest;
import dev.taskcert.proto.execution.v1.ValidateInletsAndOutletsResponse;
import dev.taskcert.server.authz.AssetVisibility;
import dev.taskcert.server.authz.CallerScope;
import dev.taskcert.server.authz.NotFound;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Asset RPCs for a running task: assets and their events, within the asset team boundary (global
 * assets, the caller's team's, and those shared with its team). Every scope decision is the
 * {@link ResourceGate}'s; an asset the caller may not see is answered exactly like an absent one.
 */
public final class AssetService extends AssetsGrpc.AssetsImplBase {
  /** Most events one call returns. */
  public static final int MAX_EVENTS = 1000;
  /** Most inlets, and most outlets, one validation takes. */
  public static final int MAX_INLETS_OR_OUTLETS = 1000;

  private final Transactions transactions;
  private final ResourceGate gate;
  private final VisibleAssets assets;

  @Inject
  AssetService(Transactions transactions, ResourceGate gate, VisibleAssets assets) {
    this.transactions = transactions;
    this.gate = gate;
    this.assets = assets;
  }

  @Override
  public void getAssetByName(GetAssetByNameRequest request, StreamObserver<GetAssetByNameResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String name = RequestLimits.requireText(request.getName(), "name", AssetRefs.MAX_NAME_BYTES);
      return GetAssetByNameResponse.newBuilder().setAsset(AssetRefs.asset(visible(name, ""))).build();
    });
  }

  @Override
  public void getAssetByUri(GetAssetByUriRequest request, StreamObserver<GetAssetByUriResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String uri = RequestLimits.requireText(request.getUri(), "uri", AssetRefs.MAX_NAME_BYTES);
      return GetAssetByUriResponse.newBuilder().setAsset(AssetRefs.asset(visible("", uri))).build();
    });
  }

  @Override
  public void getAssetEvents(GetAssetEventsRequest request, StreamObserver<GetAssetEventsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      AssetRef ref = AssetRefs.require(request.getAsset(), "asset");
      Instant after = optionalTime(request.hasAfter(), request.getAfter(), "after");
      Instant before = optionalTime(request.hasBefore(), request.getBefore(), "before");
      int limit = limit(request.getLimit());
      boolean ascending = !request.getDescending();
      AssetRow asset = visible(ref.getName(), ref.getUri());
      List<AssetEventRow> events = transactions.withMapper(AssetMapper.class,
          mapper -> mapper.events(asset.id(), after, before, ascending, limit));
      return GetAssetEventsResponse.newBuilder().addAllAssetEvents(protos(events)).build();
    });
  }

  @Override
  public void getAssetEventsByAlias(GetAssetEventsByAliasRequest request,
      StreamObserver<GetAssetEventsByAliasResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String alias = RequestLimits.requireText(request.getAliasName(), "alias_name", AssetRefs.MAX_NAME_BYTES);
      Instant after = optionalTime(request.hasAfter(), request.getAfter(), "after");
      Instant before = optionalTime(request.hasBefore(), request.getBefore(), "before");
      int limit = limit(request.getLimit());
      boolean ascending = !request.getDescending();
      AssetVisibility visible = gate.visibleAssets();
      List<AssetEventRow> events = transactions.withMapper(AssetMapper.class, mapper ->
          mapper.eventsByAlias(alias, visible.team(), visible.allTeams(), after, before, ascending, limit));
      return GetAssetEventsByAliasResponse.newBuilder().addAllAssetEvents(protos(events)).build();
    });
  }

  @Override
  public void validateInletsAndOutlets(ValidateInletsAndOutletsRequest request,
      StreamObserver<ValidateInletsAndOutletsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      if (request.getInletsCount() > MAX_INLETS_OR_OUTLETS || request.getOutletsCount() > MAX_INLETS_OR_OUTLETS) {
        throw RequestLimits.invalid("at most " + MAX_INLETS_OR_OUTLETS + " inlets and " + MAX_INLETS_OR_OUTLETS + " outlets");
      }
      request.getInletsList().forEach(ref -> AssetRefs.require(ref, "inlets"));
      request.getOutletsList().forEach(ref -> AssetRefs.require(ref, "outlets"));
      CallerScope scope = gate.callerScope();
      ValidateInletsAndOutletsResponse.Builder response = ValidateInletsAndOutletsResponse.newBuilder();
      transactions.withMapper(AssetMapper.class, mapper -> {
        for (List<AssetRef> refs : List.of(request.getInletsList(), request.getOutletsList())) {
          for (AssetRef ref : refs) {
            AssetRow asset = mapper.find(ref.getName(), ref.getUri());
            boolean usable = asset != null && gate.useAsset(scope, asset.name(), asset.team(), asset.sharedWithTeams(),
                NotFound.asset(ref.getName(), ref.getUri())).allowed();
            if (!usable && !response.getInactiveAssetsList().contains(ref)) {
              response.addInactiveAssets(ref);
            }
          }
        }
        return null;
      });
      gate.nothingToDecide();
      return response.build();
    });
  }

  private AssetRow visible(String name, String uri) {
    return assets.require(name, uri);
  }

  private static List<AssetEvent> protos(List<AssetEventRow> events) {
    return events.stream().map(AssetRefs::event).toList();
  }

  private static Instant optionalTime(boolean present, Timestamp timestamp, String field) {
    return present ? Timestamps.toInstant(timestamp, field) : null;
  }

  private static int limit(int requested) {
    if (requested < 0 || requested > MAX_EVENTS) {
      throw RequestLimits.invalid("limit must be between 1 and " + MAX_EVENTS + " (0 means " + MAX_EVENTS + ")");
    }
    return requested == 0 ? MAX_EVENTS : requested;
  }
}
