package dev.taskcert.server.asset;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.proto.admin.v1.AssetAdminGrpc;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.admin.v1.RegisterAssetResponse;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Asset registration by the control plane (admin certificates only, by the method's rule); audited. */
public final class AssetAdminService extends AssetAdminGrpc.AssetAdminImplBase {
  /** Most teams one asset is shared with. */
  public static final int MAX_SHARED_TEAMS = 100;

  private final Transactions transactions;
  private final AuditLog audit;
  private final CurrentCall call;

  @Inject
  AssetAdminService(Transactions transactions, AuditLog audit, CurrentCall call) {
    this.transactions = transactions;
    this.audit = audit;
    this.call = call;
  }

  @Override
  public void registerAsset(RegisterAssetRequest request, StreamObserver<RegisterAssetResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      AdminIdentity admin = call.admin(); // before anything changes
      String name = RequestLimits.requireText(request.getName(), "name", AssetRefs.MAX_NAME_BYTES);
      String uri = RequestLimits.requireText(request.getUri(), "uri", AssetRefs.MAX_NAME_BYTES);
      String group = RequestLimits.optionalText(request.getGroup(), "group", AssetRefs.MAX_NAME_BYTES);
      String extra = JsonValues.requireJsonObject(request.getExtraJson(), "extra_json", AssetRefs.MAX_EXTRA_BYTES);
      String team = RequestLimits.optionalText(request.getTeam(), "team", 50);
      if (request.getSharedWithTeamsCount() > MAX_SHARED_TEAMS) {
        throw RequestLimits.invalid("at most " + MAX_SHARED_TEAMS + " shared_with_teams");
      }
      List<String> shared = new ArrayList<>();
      for (String each : request.getSharedWithTeamsList()) {
        shared.add(RequestLimits.requireText(each, "shared_with_teams", 50));
      }
      boolean created = transactions.inTransaction(session -> {
        CatalogMapper catalog = session.getMapper(CatalogMapper.class);
        for (String each : team.isEmpty() ? shared : concat(team, shared)) {
          if (catalog.teamId(each) == null) {
            throw Refusal.notFound("team '" + each + "' does not exist");
          }
        }
        AssetMapper assets = session.getMapper(AssetMapper.class);
        AssetRow sameUri = assets.find("", uri);
        if (sameUri != null && !sameUri.name().equals(name)) {
          throw Refusal.precondition("URI '" + uri + "' belongs to asset '" + sameUri.name() + "'");
        }
        return assets.register(name, uri, group.isEmpty() ? "asset" : group, extra, team.isEmpty() ? null : team,
            List.copyOf(shared));
      });
      audit.record(AuditKind.ADMIN, call.callerId(), call.method(), "asset:" + name,
          "by admin " + admin.name() + (team.isEmpty() ? "; global" : "; team '" + team + "'")
              + (shared.isEmpty() ? "" : "; shared with " + shared));
      return RegisterAssetResponse.newBuilder().setCreated(created).build();
    });
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }
}
