package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.ca.v1.CertificateAuthorityGrpc;
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
      CertificateAuthorityGrpc.getServiceDescriptor(),
      TaskInstancesGrpc.getServiceDescriptor(),
      VariablesGrpc.getServiceDescriptor(),
      ConnectionsGrpc.getServiceDescriptor(),
      XComsGrpc.getServiceDescriptor(),
      AdminGrpc.getServiceDescriptor());

  @Test
  void everyRpcOfTheContractHasExactlyOneRule() {
    Set<String> contract = CONTRACT.stream()
        .flatMap(service -> service.getMethods().stream())
        .map(MethodDescriptor::getFullMethodName)
        .collect(Collectors.toCollection(TreeSet::new));
    List<String> ruled = AuthorizationRules.RULES.stream().map(AuthorizationRules.Rule::rpc).toList();
    assertEquals(ruled.size(), Set.copyOf(ruled).size(), "duplicate rule rows");
    assertEquals(contract, new TreeSet<>(ruled));
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
}
