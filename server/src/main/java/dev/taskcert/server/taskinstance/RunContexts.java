package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.DagRunInfo;
import dev.taskcert.proto.execution.v1.MapIndexes;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The run context StartTask returns, as Airflow's TIRunContext carries it: retry eligibility with
 * Airflow's meaning of max_tries, how often the try was rescheduled, what a resumed try resumes
 * with, the dag run's dates and state, and the map indexes of upstream tasks.
 */
final class RunContexts {
  private RunContexts() {}

  static void complete(StartTaskResponse.Builder started, RunContextMapper mapper, TaskInstanceRow row,
      TaskIdentity caller) {
    RunContextMapper.TryContext context = mapper.tryContext(row.id());
    started.setShouldRetry(row.tryNumber() <= row.maxTries())
        .setTaskRescheduleCount(context.rescheduleCount())
        .setExecutionGeneration(context.executionGeneration());
    if (context.schedulerTiId() != null) {
      started.setTaskInstanceId(context.schedulerTiId());
    }
    if (context.renderedMapIndex() != null) {
      started.setRenderedMapIndex(context.renderedMapIndex());
    }
    if (context.startDate() != null) {
      started.setStartDate(Timestamps.of(context.startDate()));
    }
    if (context.nextMethod() != null && !context.nextMethod().isEmpty()) {
      started.setNextMethod(context.nextMethod());
      if (context.nextKwargs() != null) {
        if ("string".equals(context.nextKwargsType())) {
          started.setNextKwargsSealed(context.nextKwargs());
        } else {
          started.setNextKwargsJson(context.nextKwargs());
        }
      }
    }
    RunContextMapper.RunFacts facts = mapper.runFacts(caller.dagId(), caller.runId());
    if (facts != null) {
      DagRunInfo.Builder run = started.getDagRunBuilder().setState(facts.state());
      if (facts.runAfter() != null) {
        run.setRunAfter(Timestamps.of(facts.runAfter()));
      }
      if (facts.startDate() != null) {
        run.setStartDate(Timestamps.of(facts.startDate()));
      }
      if (facts.endDate() != null) {
        run.setEndDate(Timestamps.of(facts.endDate()));
      }
    }
    Map<String, MapIndexes.Builder> upstream = new LinkedHashMap<>();
    for (RunContextMapper.UpstreamInstance instance
        : mapper.upstreamInstances(caller.dagId(), caller.runId(), caller.taskId())) {
      MapIndexes.Builder indexes = upstream.computeIfAbsent(instance.taskId(), id -> MapIndexes.newBuilder());
      if (instance.mapIndex() != null && instance.mapIndex() >= 0) {
        indexes.addMapIndexes(instance.mapIndex());
      }
    }
    upstream.forEach((taskId, indexes) -> started.putUpstreamMapIndexes(taskId, indexes.build()));
  }

  /**
   * Keyword arguments as Airflow accepts them: a JSON object, or an opaque (encrypted) string the
   * server stores and hands back unread (as a JSON string). Setting both is invalid.
   *
   * @return the JSON document to store
   */
  static String jsonOrSealed(String json, String jsonField, String sealed, String sealedField, int maxBytes) {
    if (sealed.isEmpty()) {
      return JsonValues.requireJsonObject(json, jsonField, maxBytes);
    }
    if (!json.isEmpty()) {
      throw RequestLimits.invalid("set " + jsonField + " or " + sealedField + ", not both");
    }
    if (sealed.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      throw RequestLimits.invalid(sealedField + " is longer than " + maxBytes + " bytes");
    }
    StringBuilder quoted = new StringBuilder(sealed.length() + 2).append('"');
    for (int i = 0; i < sealed.length(); i++) {
      char c = sealed.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw RequestLimits.invalid(sealedField + " must be printable ASCII (an encrypted token)");
      }
      if (c == '"' || c == '\\') {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.append('"').toString();
  }
}
