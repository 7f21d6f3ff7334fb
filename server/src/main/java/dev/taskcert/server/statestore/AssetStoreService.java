package dev.taskcert.server.statestore;

import dev.taskcert.proto.execution.v1.AssetStoreGrpc;
import dev.taskcert.proto.execution.v1.ClearAssetStoreRequest;
import dev.taskcert.proto.execution.v1.ClearAssetStoreResponse;
import dev.taskcert.proto.execution.v1.DeleteAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.DeleteAssetStoreValueResponse;
import dev.taskcert.proto.execution.v1.GetAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.GetAssetStoreValueResponse;
import dev.taskcert.proto.execution.v1.SetAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.SetAssetStoreValueResponse;
import dev.taskcert.server.asset.VisibleAssets;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;

/**
 * Asset state stores: reachable for an asset the caller may see (global, its team's, or shared with
 * its team), decided by the gate before anything is read or written; any other asset reads as absent.
 */
public final class AssetStoreService extends AssetStoreGrpc.AssetStoreImplBase {
  private final Transactions transactions;
  private final VisibleAssets assets;

  @Inject
  AssetStoreService(Transactions transactions, VisibleAssets assets) {
    this.transactions = transactions;
    this.assets = assets;
  }

  @Override
  public void getAssetStoreValue(GetAssetStoreValueRequest request,
      StreamObserver<GetAssetStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      long asset = assets.requireId(request.getAsset(), "asset");
      String value = transactions.withMapper(StoreMapper.class, mapper -> mapper.assetValue(asset, key));
      if (value == null) {
        throw Refusal.notFound("asset store key '" + key + "' not found");
      }
      return GetAssetStoreValueResponse.newBuilder().setValueJson(value).build();
    });
  }

  @Override
  public void setAssetStoreValue(SetAssetStoreValueRequest request,
      StreamObserver<SetAssetStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      String value = StoreValues.value(request.getValueJson());
      long asset = assets.requireId(request.getAsset(), "asset");
      transactions.withMapper(StoreMapper.class, mapper -> mapper.setAssetValue(asset, key, value));
      return SetAssetStoreValueResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteAssetStoreValue(DeleteAssetStoreValueRequest request,
      StreamObserver<DeleteAssetStoreValueResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String key = StoreValues.key(request.getKey());
      long asset = assets.requireId(request.getAsset(), "asset");
      int deleted = transactions.withMapper(StoreMapper.class, mapper -> mapper.deleteAssetValue(asset, key));
      return DeleteAssetStoreValueResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void clearAssetStore(ClearAssetStoreRequest request, StreamObserver<ClearAssetStoreResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      long asset = assets.requireId(request.getAsset(), "asset");
      int deleted = transactions.withMapper(StoreMapper.class, mapper -> mapper.clearAsset(asset));
      return ClearAssetStoreResponse.newBuilder().setDeleted(deleted).build();
    });
  }
}
