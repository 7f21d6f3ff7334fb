package dev.taskcert.server.admin;

import dev.taskcert.audit.AuditKind;
import com.google.protobuf.Timestamp;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.proto.admin.v1.AdminDeleteConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteConnectionResponse;
import dev.taskcert.proto.admin.v1.AdminDeleteVariableRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteVariableResponse;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminSetConnectionResponse;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.AdminSetVariableResponse;
import dev.taskcert.proto.admin.v1.AuditEvent;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunResponse;
import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.EndTryResponse;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsResponse;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagBundleResponse;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RegisterDagResponse;
import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamResponse;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceResponse;
import dev.taskcert.server.enrollment.TryResumption;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.admin.v1.XComReadScope;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.audit.AuditMapper;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.catalog.DagRegistration;
import dev.taskcert.server.catalog.DagStructure;
import dev.taskcert.server.catalog.DeclaredTask;
import dev.taskcert.server.catalog.OwnershipCache;
import dev.taskcert.server.connection.ConnectionMapper;
import dev.taskcert.server.connection.ConnectionRow;
import dev.taskcert.server.connection.ConnectionSecrets;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.enrollment.TaskQueue;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.PageTokens;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.liveness.AdminTryEnding;
import dev.taskcert.server.liveness.EndedTry;
import dev.taskcert.server.taskinstance.TaskInstanceService;
import dev.taskcert.server.taskinstance.TaskState;
import dev.taskcert.server.revocation.CertificateRevocation;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.variable.VariableMapper;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The control-plane API. Every RPC's rule admits admin certificates only
 * ({@code spiffe://<trust-domain>/admin/<name>}), enforced by the front door before any of this
 * runs. Every change is audited with the admin's identity and never with secret values.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
  /** Resumes deferred and rescheduled tries (injected beside the constructor's dependencies). */
  private final TryResumption resumption;

  private static final Pattern TEAM = Pattern.compile("[A-Za-z0-9_-]{1,50}");
  private static final Pattern SERIAL = Pattern.compile("[0-9a-f]{1,64}");
  private static final Set<String> RUN_STATES = Set.of("queued", "running", "success", "failed");
  private static final Set<String> RUN_TYPES = Set.of("scheduled", "manual", "backfill", "asset_triggered");

  private final Catalog catalog;
  private final Transactions transactions;
  private final TaskQueue queue;
  private final ConnectionSecrets secrets;
  private final AuditLog audit;
  private final OwnershipCache ownership;
  private final CertificateRevocation revocation;
  private final CurrentCall call;
  private final AdminTryEnding tryEnding;

  @Inject
  AdminService(Catalog catalog, Transactions transactions, TaskQueue queue, ConnectionSecrets secrets, AuditLog audit,
      OwnershipCache ownership, CertificateRevocation revocation, CurrentCall call, AdminTryEnding tryEnding,
      TryResumption resumption) {
    this.call = call;
    this.resumption = resumption;
    this.tryEnding = tryEnding;
    this.catalog = catalog;
    this.transactions = transactions;
    this.queue = queue;
    this.secrets = secrets;
    this.audit = audit;
    this.ownership = ownership;
    this.revocation = revocation;
  }

  @Override
  public void registerTeam(RegisterTeamRequest request, StreamObserver<RegisterTeamResponse> observer) {
    admin(observer, "team:" + request.getName(), () -> {
      String name = requireTeam(request.getName());
      return RegisterTeamResponse.newBuilder().setCreated(catalog.registerTeam(name)).build();
    });
  }

  @Override
  public void registerDagBundle(RegisterDagBundleRequest request, StreamObserver<RegisterDagBundleResponse> observer) {
    admin(observer, "bundle:" + request.getName(), () -> {
      String name = RequestLimits.requireText(request.getName(), "name", 250);
      catalog.registerBundle(name, request.getTeam().isEmpty() ? null : requireTeam(request.getTeam()));
      ownership.invalidateAll();
      return RegisterDagBundleResponse.getDefaultInstance();
    });
  }

  @Override
  public void registerDag(RegisterDagRequest request, StreamObserver<RegisterDagResponse> observer) {
    admin(observer, "dag:" + request.getDagId(), () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String bundle = RequestLimits.requireText(request.getBundle(), "bundle", 250);
      if (request.getAllowedConnectionIdsCount() > 1000 || request.getAllowedVariablePatternsCount() > 1000) {
        throw RequestLimits.invalid("at most 1000 declared connections and 1000 variable patterns");
      }
      request.getAllowedConnectionIdsList().forEach(id -> RequestLimits.requireText(id, "allowed_connection_ids", 250));
      request.getAllowedVariablePatternsList().forEach(p -> RequestLimits.requireText(p, "allowed_variable_patterns", 250));
      long maxTrySeconds = request.getMaxTryDurationSeconds();
      if (maxTrySeconds < 0 || maxTrySeconds > Duration.ofDays(7).toSeconds()) {
        throw RequestLimits.invalid("max_try_duration_seconds must be 0 (the server's bound) to 7 days");
      }
      DagStructure structure = DagStructure.of(request.getTasksList().stream()
          .map(task -> new DeclaredTask(task.getTaskId(), task.getDownstreamTaskIdsList()))
          .toList());
      if (transactions.withMapper(CatalogMapper.class, mapper -> mapper.bundleId(bundle)) == null) {
        throw Refusal.notFound("bundle '" + bundle + "' does not exist");
      }
      List<String> readers = declaredTeams(request.getReadableByTeamsList(), "readable_by_teams");
      List<String> triggerers = declaredTeams(request.getTriggerableByTeamsList(), "triggerable_by_teams");
      catalog.registerDag(new DagRegistration(dagId, bundle, request.getDeclaresResources(),
          request.getAllowedConnectionIdsList(), request.getAllowedVariablePatternsList(),
          scopeName(request.getXcomReadScope()), maxTrySeconds == 0 ? null : maxTrySeconds), structure,
          readers, triggerers, request.getIsPaused());
      ownership.invalidateAll();
      return RegisterDagResponse.getDefaultInstance();
    });
  }

  /** Teams a DAG declares as readers or triggerers: at most 100, each registered. */
  private List<String> declaredTeams(List<String> teams, String field) {
    if (teams.size() > 100) {
      throw RequestLimits.invalid(field + " may name at most 100 teams");
    }
    List<String> names = teams.stream().map(AdminService::requireTeam).distinct().toList();
    for (String name : names) {
      if (transactions.withMapper(CatalogMapper.class, mapper -> mapper.teamId(name)) == null) {
        throw Refusal.notFound("team '" + name + "' does not exist");
      }
    }
    return names;
  }

  @Override
  public void createDagRun(CreateDagRunRequest request, StreamObserver<CreateDagRunResponse> observer) {
    admin(observer, "dag_run:" + request.getDagId() + "/" + request.getRunId(), () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      String runType = request.getRunType().isEmpty() ? "manual" : request.getRunType();
      if (!RUN_TYPES.contains(runType)) {
        throw RequestLimits.invalid("run_type must be one of " + RUN_TYPES);
      }
      String conf = JsonValues.requireJsonObject(request.getConfJson(), "conf_json", 64 * 1024);
      requireDag(dagId);
      transactions.withMapper(CatalogMapper.class, mapper -> mapper.insertDagRun(dagId, runId,
          instantOrNull(request.hasLogicalDate(), request.getLogicalDate(), "logical_date"),
          instantOrNull(request.hasDataIntervalStart(), request.getDataIntervalStart(), "data_interval_start"),
          instantOrNull(request.hasDataIntervalEnd(), request.getDataIntervalEnd(), "data_interval_end"),
          runType, conf));
      return CreateDagRunResponse.getDefaultInstance();
    });
  }

  @Override
  public void setDagRunState(SetDagRunStateRequest request, StreamObserver<SetDagRunStateResponse> observer) {
    admin(observer, "dag_run:" + request.getDagId() + "/" + request.getRunId(), () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      if (!RUN_STATES.contains(request.getState())) {
        throw RequestLimits.invalid("state must be one of " + RUN_STATES);
      }
      int ended = tryEnding.setRunState(dagId, runId, request.getState(), call.callerId(), call.method()).size();
      return SetDagRunStateResponse.newBuilder().setEndedTries(ended).build();
    });
  }

  @Override
  public void endTry(EndTryRequest request, StreamObserver<EndTryResponse> observer) {
    TaskTryRef tt = request.getTaskTry();
    admin(observer, NamedTry.resource(tt), () -> {
      NamedTry named = NamedTry.of(request.hasTaskTry(), tt);
      TaskState state = TaskState.fromProto(request.getState());
      if (state == null || !TaskInstanceService.FINISH_STATES.contains(state)) {
        throw RequestLimits.invalid("state must be one of " + TaskInstanceService.FINISH_STATES + ", got " + request.getState());
      }
      String reason = RequestLimits.optionalText(request.getReason(), "reason", 1024);
      EndedTry ended = tryEnding.endTry(named.dagId(), named.runId(), named.taskId(), named.mapIndex(),
          named.tryNumber(), state,
          reason.isEmpty() ? "ended by admin " + call.admin().name() : reason, call.callerId(), call.method());
      return EndTryResponse.newBuilder()
          .setPreviousState(ended.before().taskState().toProto())
          .addAllRevokedSerialHex(ended.revokedSerials())
          .build();
    });
  }

  @Override
  public void queueTaskInstance(QueueTaskInstanceRequest request, StreamObserver<QueueTaskInstanceResponse> observer) {
    admin(observer, "task_instance:" + request.getDagId() + "/" + request.getRunId() + "/" + request.getTaskId(), () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      String taskId = RequestLimits.requireText(request.getTaskId(), "task_id", 250);
      if (request.getMapIndex() < -1) {
        throw RequestLimits.invalid("map_index must be -1 or more");
      }
      if (request.getMaxTries() < 0 || request.getTokenTtlSeconds() < 0
          || request.getTokenTtlSeconds() > Duration.ofDays(7).toSeconds()) {
        throw RequestLimits.invalid("max_tries must not be negative; token_ttl_seconds must be 0 to 7 days");
      }
      if (request.getMaxTries() > MAX_RETRIES) {
        throw RequestLimits.invalid("max_tries (retries) must be 0 to " + MAX_RETRIES);
      }
      String schedulerTiId = schedulerTaskInstanceId(request.getTaskInstanceId());
      Duration ttl = request.getTokenTtlSeconds() == 0 ? null : Duration.ofSeconds(request.getTokenTtlSeconds());
      QueuedTry queued = queue.queue(dagId, runId, taskId, request.getMapIndex(), request.getMaxTries(), ttl,
          schedulerTiId);
      return QueueTaskInstanceResponse.newBuilder()
          .setTryNumber(queued.identity().tryNumber())
          .setEnrollmentToken(queued.enrollmentToken())
          .setTokenExpiresAt(Timestamps.of(queued.tokenExpiresAt()))
          .setSpiffeId(queued.spiffeId())
          .build();
    });
  }

  @Override
  public void setVariable(AdminSetVariableRequest request, StreamObserver<AdminSetVariableResponse> observer) {
    admin(observer, "variable:" + request.getKey(), () -> {
      String key = RequestLimits.requireText(request.getKey(), "key", 250);
      String value = RequestLimits.optionalText(request.getValue(), "value", 64 * 1024);
      String description = RequestLimits.optionalText(request.getDescription(), "description", 1024);
      String team = optionalTeam(request.getTeam());
      transactions.withMapper(VariableMapper.class,
          mapper -> mapper.upsert(key, value, description.isEmpty() ? null : description, team));
      return AdminSetVariableResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteVariable(AdminDeleteVariableRequest request, StreamObserver<AdminDeleteVariableResponse> observer) {
    admin(observer, "variable:" + request.getKey(), () -> {
      String key = RequestLimits.requireText(request.getKey(), "key", 250);
      int deleted = transactions.withMapper(VariableMapper.class, mapper -> mapper.delete(key));
      return AdminDeleteVariableResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void setConnection(AdminSetConnectionRequest request, StreamObserver<AdminSetConnectionResponse> observer) {
    admin(observer, "connection:" + request.getConnId(), () -> {
      String connId = RequestLimits.requireText(request.getConnId(), "conn_id", 250);
      String team = optionalTeam(request.getTeam());
      if (request.getPort() < 0 || request.getPort() > 65535) {
        throw RequestLimits.invalid("port must be between 0 and 65535");
      }
      String password = RequestLimits.optionalText(request.getPassword(), "password", 4096);
      String extra = JsonValues.requireJsonObject(request.getExtraJson(), "extra_json", 64 * 1024);
      // Both secrets are sealed to this row; the plaintext extra column keeps only "{}".
      ConnectionRow row = new ConnectionRow(connId, team,
          RequestLimits.optionalText(request.getConnType(), "conn_type", 100),
          RequestLimits.optionalText(request.getHost(), "host", 1024),
          RequestLimits.optionalText(request.getSchema(), "schema", 1024),
          RequestLimits.optionalText(request.getLogin(), "login", 1024),
          secrets.sealPassword(connId, password),
          request.getPort(),
          "{}",
          secrets.sealExtra(connId, extra));
      transactions.withMapper(ConnectionMapper.class, mapper -> mapper.upsert(row));
      return AdminSetConnectionResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteConnection(AdminDeleteConnectionRequest request,
      StreamObserver<AdminDeleteConnectionResponse> observer) {
    admin(observer, "connection:" + request.getConnId(), () -> {
      String connId = RequestLimits.requireText(request.getConnId(), "conn_id", 250);
      int deleted = transactions.withMapper(ConnectionMapper.class, mapper -> mapper.delete(connId));
      return AdminDeleteConnectionResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void revokeCertificates(RevokeCertificatesRequest request,
      StreamObserver<RevokeCertificatesResponse> observer) {
    admin(observer, "certificates", () -> {
      String reason = RequestLimits.optionalText(request.getReason(), "reason", 1024);
      if (request.getSerialHexCount() == 0 && !request.hasTaskTry()) {
        throw RequestLimits.invalid("name serials, a task try, or both");
      }
      if (request.getSerialHexCount() > 1000) {
        throw RequestLimits.invalid("at most 1000 serials per call");
      }
      if (request.hasTaskTry()) {
        RequestLimits.requireText(request.getTaskTry().getDagId(), "task_try.dag_id", 250);
        RequestLimits.requireText(request.getTaskTry().getRunId(), "task_try.run_id", 250);
        RequestLimits.requireText(request.getTaskTry().getTaskId(), "task_try.task_id", 250);
      }
      Set<String> serials = new LinkedHashSet<>();
      for (String serial : request.getSerialHexList()) {
        String normalized = serial.toLowerCase(java.util.Locale.ROOT).replaceFirst("^0+(?=.)", "");
        if (!SERIAL.matcher(normalized).matches()) {
          throw RequestLimits.invalid("serial '" + serial + "' is not hex");
        }
        serials.add(normalized);
      }
      TaskTryRef tt = request.getTaskTry();
      List<String> revoked = revocation.revoke(serials, request.hasTaskTry()
              ? new CertificateRevocation.TaskTry(tt.getDagId(), tt.getRunId(), tt.getTaskId(), tt.getMapIndex(),
                  tt.getTryNumber())
              : null,
          reason, call.callerId(), call.method());
      return RevokeCertificatesResponse.newBuilder().addAllRevokedSerialHex(revoked).build();
    });
  }

  @Override
  public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      int pageSize = PageTokens.pageSize(request.getPageSize(), 1000);
      String after = PageTokens.decode(request.getPageToken());
      long beforeId;
      try {
        beforeId = after.isEmpty() ? Long.MAX_VALUE : Long.parseLong(after);
      } catch (NumberFormatException e) {
        throw RequestLimits.invalid("page_token is not a token this server issued");
      }
      List<AuditEventRow> rows = transactions.withMapper(AuditMapper.class, mapper -> mapper.olderThan(beforeId, pageSize));
      ListAuditEventsResponse.Builder response = ListAuditEventsResponse.newBuilder();
      for (AuditEventRow row : rows) {
        AuditEvent.Builder event = AuditEvent.newBuilder().setId(row.id()).setAt(Timestamps.of(row.at())).setKind(row.kind());
        if (row.principal() != null) {
          event.setPrincipal(row.principal());
        }
        if (row.rpc() != null) {
          event.setRpc(row.rpc());
        }
        if (row.resource() != null) {
          event.setResource(row.resource());
        }
        if (row.detail() != null) {
          event.setDetail(row.detail());
        }
        response.addEvents(event);
      }
      if (rows.size() == pageSize) {
        response.setNextPageToken(PageTokens.encode(Long.toString(rows.get(rows.size() - 1).id())));
      }
      return response.build();
    });
  }

  /** Most retries QueueTaskInstance accepts. */
  static final int MAX_RETRIES = 1000;

  @Override
  public void resumeTaskInstance(ResumeTaskInstanceRequest request, StreamObserver<ResumeTaskInstanceResponse> observer) {
    TaskTryRef tt = request.getTaskTry();
    admin(observer, NamedTry.resource(tt), () -> {
      NamedTry named = NamedTry.of(request.hasTaskTry(), tt);
      if (request.getTokenTtlSeconds() < 0 || request.getTokenTtlSeconds() > Duration.ofDays(7).toSeconds()) {
        throw RequestLimits.invalid("token_ttl_seconds must be 0 to 7 days");
      }
      String schedulerTiId = schedulerTaskInstanceId(request.getTaskInstanceId());
      Duration ttl = request.getTokenTtlSeconds() == 0 ? null : Duration.ofSeconds(request.getTokenTtlSeconds());
      TryResumption.ResumedTry resumed =
          resumption.resume(named.dagId(), named.runId(), named.taskId(), named.mapIndex(), named.tryNumber(), ttl,
              schedulerTiId);
      return ResumeTaskInstanceResponse.newBuilder()
          .setTryNumber(resumed.queued().identity().tryNumber())
          .setExecutionGeneration(resumed.generation())
          .setEnrollmentToken(resumed.queued().enrollmentToken())
          .setTokenExpiresAt(Timestamps.of(resumed.queued().tokenExpiresAt()))
          .setSpiffeId(resumed.queued().spiffeId())
          .addAllRevokedSerialHex(resumed.revokedSerials())
          .build();
    });
  }

  /** The control plane's task-instance id: empty (none), or a UUID in canonical form. */
  private static String schedulerTaskInstanceId(String id) {
    if (id.isEmpty()) {
      return null;
    }
    try {
      if (id.length() == 36 && java.util.UUID.fromString(id).toString().equals(id.toLowerCase(java.util.Locale.ROOT))) {
        return id.toLowerCase(java.util.Locale.ROOT);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw RequestLimits.invalid("task_instance_id must be a UUID in canonical form (36 characters)");
  }

  /** A task try an admin request names, each part checked. */
  private record NamedTry(String dagId, String runId, String taskId, int mapIndex, int tryNumber) {
    static NamedTry of(boolean present, TaskTryRef tt) {
      if (!present) {
        throw RequestLimits.invalid("task_try is required");
      }
      if (tt.getMapIndex() < -1 || tt.getTryNumber() < 1) {
        throw RequestLimits.invalid("task_try.map_index must be -1 or more and task_try.try_number 1 or more");
      }
      return new NamedTry(RequestLimits.requireText(tt.getDagId(), "task_try.dag_id", 250),
          RequestLimits.requireText(tt.getRunId(), "task_try.run_id", 250),
          RequestLimits.requireText(tt.getTaskId(), "task_try.task_id", 250), tt.getMapIndex(), tt.getTryNumber());
    }

    /** The audit resource of a named try, as sent. */
    static String resource(TaskTryRef tt) {
      return "task_try:" + tt.getDagId() + "/" + tt.getRunId() + "/" + tt.getTaskId() + "/" + tt.getMapIndex()
          + "/" + tt.getTryNumber();
    }
  }

  /**
   * Runs an admin change, then audits what was done and by whom. The calling admin is established
   * before the change runs, so a caller that is not an admin fails with nothing changed.
   */
  private <T> void admin(StreamObserver<T> observer, String resource, Supplier<T> body) {
    UnaryCalls.respond(observer, () -> {
      AdminIdentity admin = call.admin();
      T result = body.get();
      audit.record(AuditKind.ADMIN, call.callerId(), call.method(), resource, "by admin " + admin.name());
      return result;
    });
  }

  private void requireDag(String dagId) {
    if (!transactions.withMapper(CatalogMapper.class, mapper -> mapper.dagExists(dagId))) {
      throw Refusal.notFound("DAG '" + dagId + "' is not registered");
    }
  }

  private String optionalTeam(String team) {
    if (team.isEmpty()) {
      return null;
    }
    requireTeam(team);
    if (transactions.withMapper(CatalogMapper.class, mapper -> mapper.teamId(team)) == null) {
      throw Refusal.notFound("team '" + team + "' does not exist");
    }
    return team;
  }

  private static String requireTeam(String name) {
    if (!TEAM.matcher(name).matches()) {
      throw RequestLimits.invalid("team name must be 1 to 50 characters of [A-Za-z0-9_-]");
    }
    return name;
  }

  private static String scopeName(XComReadScope scope) {
    return switch (scope) {
      case XCOM_READ_SCOPE_SAME_DAG -> "SAME_DAG";
      case XCOM_READ_SCOPE_SAME_RUN -> "SAME_RUN";
      case XCOM_READ_SCOPE_UNSPECIFIED, XCOM_READ_SCOPE_TEAM -> "TEAM";
      default -> throw RequestLimits.invalid("unknown xcom_read_scope " + scope);
    };
  }

  private static Instant instantOrNull(boolean present, Timestamp timestamp, String field) {
    return present ? Timestamps.toInstant(timestamp, field) : null;
  }
}
