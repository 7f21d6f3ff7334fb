package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.HitlAdminGrpc;
import dev.taskcert.proto.admin.v1.RespondHitlRequest;
import dev.taskcert.proto.admin.v1.RespondHitlResponse;
import dev.taskcert.proto.execution.v1.HitlDetailAnswer;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hitl respond}: a human's answer to a task instance's human-in-the-loop question. */
@Command(name = "hitl", mixinStandardHelpOptions = true, description = "Human-in-the-loop answers.",
    subcommands = HitlCommand.Respond.class)
final class HitlCommand extends CommandGroup {

  @Command(name = "respond", mixinStandardHelpOptions = true, description = {
      "Records a human's answer to a task instance's human-in-the-loop question.",
      "As Airflow's UI does: the chosen options (each among the question's options, exactly one unless it allows"
          + " several) and parameter values, for the user named. The task reads the answer with GetHitlDetail."
          + " A question is answered once: a second answer, by anyone, is refused (FAILED_PRECONDITION)."})
  static final class Respond extends AdminCommand {
    @Mixin
    TaskInstanceAddress instance;

    @Option(names = "--user", required = true, paramLabel = "USER", description = "who answered, 1 to 250 bytes")
    String user;

    @Option(names = "--chosen-option", required = true, paramLabel = "OPTION",
        description = "an option chosen (repeatable when the question allows several)")
    List<String> chosenOptions;

    @Option(names = "--params-input", defaultValue = "{}", paramLabel = "JSON",
        description = "parameter values, a JSON object (default ${DEFAULT-VALUE})")
    String paramsInput;

    @Override
    protected void execute(Stubs stubs, Output output) {
      if (instance.mapIndex < -1) {
        throw usageError("--map-index must be -1 or more, got " + instance.mapIndex);
      }
      var admin = stubs.admin();
      HitlAdminGrpc.HitlAdminBlockingStub hitl =
          HitlAdminGrpc.newBlockingStub(admin.getChannel()).withDeadline(admin.getCallOptions().getDeadline());
      RespondHitlResponse answer = hitl.respondHitl(RespondHitlRequest.newBuilder()
          .setDagId(instance.dagId).setRunId(instance.runId).setTaskId(instance.taskId).setMapIndex(instance.mapIndex)
          .setUserId(user).addAllChosenOptions(chosenOptions)
          .setParamsInputJson(paramsInput).build());
      HitlDetailAnswer recorded = answer.getAnswer();
      output.record(answer, Output.fields("task instance", instance.toString(),
          "responded by", recorded.getRespondedBy(),
          "responded at", Instant.ofEpochSecond(recorded.getRespondedAt().getSeconds(),
              recorded.getRespondedAt().getNanos()).toString(),
          "chosen options", String.join(", ", recorded.getChosenOptionsList()),
          "params input", recorded.getParamsInputJson()));
    }
  }
}
