package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AuthorizationRulesTest {
  private static final List<ServiceDescriptor> CONTRACT = List.of(
      EnrollmentGrpc.getServiceDescriptor(),
      RenewalGrpc.getServiceDescriptor(),
      TaskInstancesGrpc.getServiceDescriptor(),
      VariablesGrpc.getServiceDescriptor(),
      ConnectionsGrpc.getServiceDescriptor(),
      XComsGrpc.getServiceDescriptor(),
      AdminGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.AssetsGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.TaskStoreGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.AssetStoreGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc.getServiceDescriptor(),
      dev.taskcert.proto.admin.v1.AssetAdminGrpc.getServiceDescriptor(),
      dev.taskcert.proto.admin.v1.HitlAdminGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.DagRunsGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc.getServiceDescriptor(),
      dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc.getServiceDescriptor());

  @Test
  void everyRpcOfTheContractDeclaresExactlyOneEnforceableRule() {
    Set<String> contract = CONTRACT.stream()
        .flatMap(service -> service.getMethods().stream())
        .map(MethodDescriptor::getFullMethodName)
        .collect(Collectors.toCollection(TreeSet::new));
    List<String> ruled = MethodRules.contract().stream().map(MethodRule::method).toList();
    assertEquals(ruled.size(), Set.copyOf(ruled).size(), "duplicate rules");
    assertEquals(contract, new TreeSet<>(ruled));
  }

  /**
   * The threat model's caller boundaries, pinned independently of the rules: a rule changed in the
   * contract (an admin RPC opened to tasks, a task RPC opened to anyone) fails here.
   */
  @Test
  void callerKindsFollowTheServicesBoundaries() {
    for (MethodRule rule : MethodRules.contract()) {
      String service = rule.method().substring(0, rule.method().indexOf('/'));
      dev.taskcert.proto.authz.v1.Caller expected = switch (service) {
        case "taskcert.admin.v1.Admin", "taskcert.admin.v1.AssetAdmin", "taskcert.admin.v1.HitlAdmin" ->
            dev.taskcert.proto.authz.v1.Caller.CALLER_ADMIN;
        case "taskcert.ca.v1.Enrollment" -> dev.taskcert.proto.authz.v1.Caller.CALLER_ANONYMOUS;
        default -> dev.taskcert.proto.authz.v1.Caller.CALLER_TASK;
      };
      assertEquals(expected, rule.caller(), rule.method());
      if (expected == dev.taskcert.proto.authz.v1.Caller.CALLER_TASK) {
        assertTrue(Set.of(dev.taskcert.server.taskinstance.TaskState.QUEUED,
                dev.taskcert.server.taskinstance.TaskState.RUNNING).containsAll(rule.tryStates()),
            rule.method() + " is admitted for a try that is not live: " + rule.tryStates());
      }
    }
  }

  @Test
  void theContractSaysWhatTheServerEnforces() {
    MethodRule renew = rule("taskcert.ca.v1.Renewal/Renew");
    assertEquals(dev.taskcert.proto.authz.v1.Caller.CALLER_TASK, renew.caller());
    assertTrue(renew.admits(dev.taskcert.server.taskinstance.TaskState.QUEUED));
    assertFalse(renew.admits(dev.taskcert.server.taskinstance.TaskState.SUCCESS));
    MethodRule finish = rule("taskcert.execution.v1.TaskInstances/FinishTask");
    assertTrue(finish.admits(dev.taskcert.server.taskinstance.TaskState.SUCCESS), "a repeat after a lost answer");
    assertFalse(finish.admits(dev.taskcert.server.taskinstance.TaskState.DEFERRED));
    assertTrue(rule("taskcert.execution.v1.Variables/GetVariable").needsScopeDecision());
    assertFalse(rule("taskcert.execution.v1.XComs/SetXCom").needsScopeDecision());
    assertTrue(rule("taskcert.execution.v1.DagRuns/TriggerDagRun").needsScopeDecision());
    assertTrue(rule("taskcert.execution.v1.TaskInstanceQueries/GetTaskInstanceStates").needsScopeDecision());
    assertFalse(rule("taskcert.execution.v1.TaskInstanceDetails/SetRenderedMapIndex").needsScopeDecision());
    assertEquals(dev.taskcert.proto.authz.v1.Caller.CALLER_ANONYMOUS, rule("taskcert.ca.v1.Enrollment/Enroll").caller());
  }

  @Test
  void docsEmbedTheGeneratedTable() throws Exception {
    Path docs = Path.of("..", "docs", "authorization.md");
    String text = Files.readString(docs, StandardCharsets.UTF_8);
    String embedded = text.substring(
        text.indexOf("<!-- rules:begin -->\n") + "<!-- rules:begin -->\n".length(), text.indexOf("<!-- rules:end -->"));
    assertEquals(AuthorizationRules.markdownTable(), embedded,
        "docs/authorization.md is stale: replace its table with the output of `taskcert-server rules`");
  }

  private static MethodRule rule(String method) {
    return MethodRules.contract().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }
}
