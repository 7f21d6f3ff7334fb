package dev.taskcert.server.hitl;

import dev.taskcert.proto.execution.v1.CreateHitlDetailRequest;
import dev.taskcert.proto.execution.v1.CreateHitlDetailResponse;
import dev.taskcert.proto.execution.v1.GetHitlDetailRequest;
import dev.taskcert.proto.execution.v1.GetHitlDetailResponse;
import dev.taskcert.proto.execution.v1.HitlDetailAnswer;
import dev.taskcert.proto.execution.v1.UpdateHitlDetailResponse;
import dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc;
import dev.taskcert.proto.execution.v1.UpdateHitlDetailRequest;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;

/**
 * The human-in-the-loop detail of the caller's own task instance (the one the front door admitted
 * from the certificate; one detail per task instance, kept across tries).
 */
public final class HitlService extends HumanInTheLoopGrpc.HumanInTheLoopImplBase {
  private final Transactions transactions;
  private final CurrentCall call;
  private final Clock clock;

  @Inject
  HitlService(Transactions transactions, CurrentCall call, Clock clock) {
    this.transactions = transactions;
    this.call = call;
    this.clock = clock;
  }

  @Override
  public void createHitlDetail(CreateHitlDetailRequest request, StreamObserver<CreateHitlDetailResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      List<String> options = options(request.getOptionsList(), "options", 1);
      String subject = RequestLimits.requireText(request.getSubject(), "subject", 1024);
      String body = RequestLimits.optionalText(request.getBody(), "body", HitlAnswers.MAX_JSON_BYTES);
      List<String> defaults = options(request.getDefaultsList(), "defaults", 0);
      if (!options.containsAll(defaults)) {
        throw RequestLimits.invalid("every default must be one of the options");
      }
      if (!request.getMultiple() && defaults.size() > 1) {
        throw RequestLimits.invalid("at most one default: the question does not allow multiple");
      }
      String params = JsonValues.requireJsonObject(request.getParamsJson(), "params_json", HitlAnswers.MAX_JSON_BYTES);
      long ti = call.admittedTry().id();
      HitlRow stored = transactions.withMapper(HitlMapper.class, mapper -> {
        if (mapper.create(ti, options, subject, body.isEmpty() ? null : body, defaults, request.getMultiple(), params) == 0) {
          mapper.clearResponse(ti);
        }
        return mapper.find(ti);
      });
      return CreateHitlDetailResponse.newBuilder()
          .addAllOptions(stored.options())
          .setSubject(stored.subject())
          .setBody(stored.body() == null ? "" : stored.body())
          .addAllDefaults(stored.defaults())
          .setMultiple(stored.multiple())
          .setParamsJson(stored.params())
          .build();
    });
  }

  @Override
  public void updateHitlDetail(UpdateHitlDetailRequest request, StreamObserver<UpdateHitlDetailResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      long ti = call.admittedTry().id();
      HitlDetailAnswer answer = transactions.inTransaction(session -> HitlAnswers.respond(session, ti,
          request.getChosenOptionsList(), request.getParamsInputJson(), null, clock.instant()));
      return UpdateHitlDetailResponse.newBuilder().setAnswer(answer).build();
    });
  }

  @Override
  public void getHitlDetail(GetHitlDetailRequest request, StreamObserver<GetHitlDetailResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      long ti = call.admittedTry().id();
      HitlRow row = transactions.withMapper(HitlMapper.class, mapper -> mapper.find(ti));
      if (row == null) {
        throw Refusal.notFound(HitlAnswers.notFound());
      }
      return GetHitlDetailResponse.newBuilder().setAnswer(HitlAnswers.response(row)).build();
    });
  }

  private static List<String> options(List<String> options, String field, int min) {
    if (options.size() < min || options.size() > HitlAnswers.MAX_OPTIONS) {
      throw RequestLimits.invalid(field + " needs " + min + " to " + HitlAnswers.MAX_OPTIONS + " entries");
    }
    options.forEach(option -> RequestLimits.requireText(option, field, HitlAnswers.MAX_OPTION_BYTES));
    if (new HashSet<>(options).size() != options.size()) {
      throw RequestLimits.invalid(field + " must not repeat an entry");
    }
    return List.copyOf(options);
  }
}
