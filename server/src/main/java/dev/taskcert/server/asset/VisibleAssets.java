package dev.taskcert.server.asset;

import dev.taskcert.proto.execution.v1.AssetRef;
import dev.taskcert.server.authz.NotFound;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;

/** Finds an asset a task names, when the task may see it, deciding through the {@link ResourceGate}. */
public final class VisibleAssets {
  private final Transactions transactions;
  private final ResourceGate gate;

  @Inject
  VisibleAssets(Transactions transactions, ResourceGate gate) {
    this.transactions = transactions;
    this.gate = gate;
  }

  /**
   * The id of the asset {@code ref} names (checked: a name, a URI or both, within bounds).
   *
   * @throws Refusal NOT_FOUND, in the same words, when it is absent or the caller may not see it
   */
  public long requireId(AssetRef ref, String field) {
    AssetRefs.require(ref, field);
    return require(ref.getName(), ref.getUri()).id();
  }

  /** The asset named by {@code name} and/or {@code uri} (an empty one is not compared). */
  AssetRow require(String name, String uri) {
    AssetRow asset = transactions.withMapper(AssetMapper.class, mapper -> mapper.find(name, uri));
    String notFound = NotFound.asset(name, uri);
    if (asset == null) {
      gate.nothingToDecide();
      throw Refusal.notFound(notFound);
    }
    gate.useAsset(asset.name(), asset.team(), asset.sharedWithTeams(), notFound).require();
    return asset;
  }
}
