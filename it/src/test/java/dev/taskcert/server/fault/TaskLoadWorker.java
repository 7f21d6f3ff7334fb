package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A task try's mixed workload: heartbeat, read a global variable, write an XCom, read back the
 * newest acknowledged XCom, write its team's variable. Remembers which writes were acknowledged.
 */
final class TaskLoadWorker extends LoadWorker {
  private static final String[] OPERATIONS = {"Heartbeat", "GetVariable", "SetXCom", "GetXCom", "SetVariable"};

  private final TestTask task;
  private final String taskId;
  private final String ownVariable;
  private final Set<Long> acknowledgedXComs = ConcurrentHashMap.newKeySet();
  private volatile long newestAcknowledgedXCom = -1;
  private final VariableWrites variableWrites = new VariableWrites();

  TaskLoadWorker(String name, TestTask task, String taskId, String ownVariable) {
    super(name);
    this.task = task;
    this.taskId = taskId;
    this.ownVariable = ownVariable;
  }

  @Override
  String operationName(long step) {
    return OPERATIONS[(int) (step % OPERATIONS.length)];
  }

  @Override
  void step(long step) {
    switch ((int) (step % OPERATIONS.length)) {
      case 0 -> task.taskInstances().heartbeat(HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build());
      case 1 -> {
        String value = task.variables()
            .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()).getValue();
        if (!value.equals("dev")) {
          wrongAnswer("GetVariable", "global variable read as " + value);
        }
      }
      case 2 -> {
        task.xcoms().setXCom(SetXComRequest.newBuilder().setKey(xcomKey(step)).setValueJson(Long.toString(step)).build());
        acknowledgedXComs.add(step);
        newestAcknowledgedXCom = step;
      }
      case 3 -> {
        long newest = newestAcknowledgedXCom;
        if (newest >= 0) {
          String value = task.xcoms().getXCom(GetXComRequest.newBuilder()
              .setRef(XComRef.newBuilder().setTaskId(taskId).setKey(xcomKey(newest))).build()).getValueJson();
          if (!value.equals(Long.toString(newest))) {
            wrongAnswer("GetXCom", xcomKey(newest) + " read as " + value);
          }
        }
      }
      default -> {
        variableWrites.attempt(step);
        task.variables().setVariable(SetVariableRequest.newBuilder()
            .setKey(ownVariable).setValue(Long.toString(step)).build());
        variableWrites.acknowledge(step);
      }
    }
  }

  private static String xcomKey(long step) {
    return "outage_" + step;
  }

  @Override
  void verifyDurable(TestEnvironment env) throws Exception {
    assertTrue(acknowledgedXComs.size() >= 2, name() + " had only " + acknowledgedXComs.size() + " XComs acknowledged");
    for (long step : acknowledgedXComs) {
      assertEquals(1, env.count("select count(*) from xcom where task_id = '" + taskId + "' and key = '"
          + xcomKey(step) + "' and value = '" + step + "'::jsonb"), name() + ": acknowledged XCom " + xcomKey(step) + " is lost");
    }
    variableWrites.verify(name() + " variable " + ownVariable,
        env.count("select value::bigint from variable where key = '" + ownVariable + "'"));
  }
}
