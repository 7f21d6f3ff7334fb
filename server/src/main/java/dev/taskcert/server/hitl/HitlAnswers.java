package dev.taskcert.server.hitl;

import dev.taskcert.proto.execution.v1.HitlDetailAnswer;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.refusal.Refusal;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.apache.ibatis.session.SqlSession;

/** Records an answer to a detail, by the task or by a human through the control plane, the same way. */
final class HitlAnswers {
  /** Largest JSON object of params or params input, in bytes. */
  static final int MAX_JSON_BYTES = 64 * 1024;
  /** Longest option, in bytes. */
  static final int MAX_OPTION_BYTES = 250;
  /** Most options. */
  static final int MAX_OPTIONS = 100;

  private HitlAnswers() {}

  static String notFound() {
    return "human-in-the-loop detail not found for this task instance";
  }

  /**
   * Records {@code chosen} and {@code paramsInputJson} as the answer of task instance {@code ti},
   * by {@code respondedBy} ({@code null}: the task itself), and returns the answer.
   *
   * @throws Refusal NOT_FOUND without a detail; FAILED_PRECONDITION when already answered;
   *     INVALID_ARGUMENT when the choice does not fit the question
   */
  static HitlDetailAnswer respond(SqlSession session, long ti, List<String> chosen, String paramsInputJson,
      String respondedBy, Instant at) {
    String paramsInput = JsonValues.requireJsonObject(paramsInputJson, "params_input_json", MAX_JSON_BYTES);
    HitlMapper mapper = session.getMapper(HitlMapper.class);
    HitlRow detail = mapper.find(ti);
    if (detail == null) {
      throw Refusal.notFound(notFound());
    }
    if (chosen.isEmpty() || chosen.size() > MAX_OPTIONS) {
      throw RequestLimits.invalid("chosen_options needs 1 to " + MAX_OPTIONS + " options");
    }
    if (!detail.multiple() && chosen.size() > 1) {
      throw RequestLimits.invalid("exactly one option may be chosen: the question does not allow multiple");
    }
    if (new HashSet<>(chosen).size() != chosen.size()) {
      throw RequestLimits.invalid("chosen_options must not repeat an option");
    }
    for (String option : chosen) {
      RequestLimits.requireText(option, "chosen_options", MAX_OPTION_BYTES);
      if (!detail.options().contains(option)) {
        throw RequestLimits.invalid("chosen option '" + option + "' is not one of the question's options");
      }
    }
    if (detail.respondedAt() != null || mapper.respond(ti, at, respondedBy, chosen, paramsInput) == 0) {
      throw Refusal.precondition("the human-in-the-loop detail of this task instance was already answered");
    }
    return response(mapper.find(ti));
  }

  static HitlDetailAnswer response(HitlRow row) {
    HitlDetailAnswer.Builder response = HitlDetailAnswer.newBuilder()
        .setResponseReceived(row.respondedAt() != null)
        .addAllChosenOptions(row.chosenOptions())
        .setParamsInputJson(row.paramsInput());
    if (row.respondedAt() != null) {
      response.setRespondedAt(Timestamps.of(row.respondedAt()));
    }
    if (row.respondedBy() != null) {
      response.setRespondedBy(row.respondedBy());
    }
    return response.build();
  }
}
