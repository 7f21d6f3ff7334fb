package dev.taskcert.server.asset;

import dev.taskcert.proto.execution.v1.Asset;
import dev.taskcert.proto.execution.v1.AssetEvent;
import dev.taskcert.proto.execution.v1.AssetRef;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;

/** Bounds of asset names and URIs, and the wire form of assets and their events. */
final class AssetRefs {
  /** Longest asset name, URI, group or alias name, in bytes. */
  static final int MAX_NAME_BYTES = 1500;
  /** Largest extra of an asset or an event, in bytes. */
  static final int MAX_EXTRA_BYTES = 64 * 1024;

  private AssetRefs() {}

  /** Checks {@code ref}: a name, a URI or both, each within bounds. */
  static AssetRef require(AssetRef ref, String field) {
    String name = RequestLimits.optionalText(ref.getName(), field + ".name", MAX_NAME_BYTES);
    String uri = RequestLimits.optionalText(ref.getUri(), field + ".uri", MAX_NAME_BYTES);
    if (name.isEmpty() && uri.isEmpty()) {
      throw RequestLimits.invalid(field + " needs a name or a URI");
    }
    return ref;
  }

  static Asset asset(AssetRow row) {
    return Asset.newBuilder().setName(row.name()).setUri(row.uri()).setGroup(row.assetGroup())
        .setExtraJson(row.extra()).build();
  }

  static AssetEvent event(AssetEventRow row) {
    AssetEvent.Builder event = AssetEvent.newBuilder()
        .setId(row.id())
        .setTimestamp(Timestamps.of(row.timestamp()))
        .setExtraJson(row.extra())
        .setAsset(Asset.newBuilder().setName(row.assetName()).setUri(row.assetUri()).setGroup(row.assetGroup())
            .setExtraJson(row.assetExtra()))
        .setSourceMapIndex(row.sourceMapIndex());
    if (row.sourceDagId() != null) {
      event.setSourceDagId(row.sourceDagId()).setSourceRunId(row.sourceRunId()).setSourceTaskId(row.sourceTaskId());
    }
    return event.build();
  }
}
