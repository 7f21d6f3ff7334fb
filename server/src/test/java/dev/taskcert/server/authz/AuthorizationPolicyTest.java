package dev.taskcert.server.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationPolicyTest {
  private static final TaskIdentity TASK = new TaskIdentity("dag", "run", "task", -1, 1);

  private static AuthorizationPolicy policy(boolean multiTeam) {
    return new AuthorizationPolicy(ServerConfig.builder()
        .trustDomain(new TrustDomain("t.example"))
        .caDirectory(Path.of("ca"))
        .secretKeyFile(Path.of("secret.key"))
        .database(new ServerConfig.DatabaseConfig("jdbc:postgresql:x", "u", "", 1))
        .multiTeam(multiTeam)
        .build());
  }

  private static CallerScope caller(String team, boolean declares, List<String> patterns) {
    return new CallerScope(TASK, new DagOwnership("dag", team, declares, List.of(), patterns, "TEAM"));
  }

  @Test
  void allowsGlobalAndOwnTeamVariablesAndDeniesOthers() {
    AuthorizationPolicy policy = policy(true);
    CallerScope caller = caller("a", false, List.of());
    assertEquals(Decision.ALLOW, policy.readVariable(caller, "k", null));
    assertEquals(Decision.ALLOW, policy.readVariable(caller, "k", "a"));
    Decision denied = policy.readVariable(caller, "k", "b");
    Decision.Conceal concealed = assertInstanceOf(Decision.Conceal.class, denied);
    assertEquals(NotFound.variable("k"), concealed.message(), "answered like an absent variable");
    assertFalse(concealed.message().contains("'b'"));
    assertTrue(concealed.auditDetail().contains("team 'b'"), "the audit says whose it is");
  }

  @Test
  void callerWithoutTeamReadsOnlyGlobalVariables() {
    CallerScope caller = caller(null, false, List.of());
    assertEquals(Decision.ALLOW, policy(true).readVariable(caller, "k", null));
    assertInstanceOf(Decision.Conceal.class, policy(true).readVariable(caller, "k", "a"));
  }

  private static DagOwnership dag(String dagId, String team) {
    return new DagOwnership(dagId, team, false, List.of(), List.of(), "TEAM");
  }

  @Test
  void dagReadsReachOwnGlobalAndDeclaringDagsOnly() {
    AuthorizationPolicy policy = policy(true);
    CallerScope caller = caller("a", false, List.of());
    assertEquals(Decision.ALLOW, policy.readDag(caller, dag("own", "a"), List.of()));
    assertEquals(Decision.ALLOW, policy.readDag(caller, dag("global", null), List.of()));
    assertEquals(Decision.ALLOW, policy.readDag(caller, dag("shared", "b"), List.of("c", "a")));
    Decision.Conceal concealed = assertInstanceOf(Decision.Conceal.class, policy.readDag(caller, dag("private", "b"), List.of("c")));
    assertEquals(NotFound.dag("private"), concealed.message(), "answered like an absent DAG");
    assertTrue(concealed.auditDetail().contains("team 'b'"));
    assertInstanceOf(Decision.Conceal.class, policy.readDag(caller(null, false, List.of()), dag("shared", "b"), List.of("a")));
    assertEquals(Decision.ALLOW, policy(false).readDag(caller, dag("private", "b"), List.of()));
  }

  @Test
  void dagTriggersReachOwnAndDeclaringDagsButNotGlobalOnesOfATeamsTask() {
    AuthorizationPolicy policy = policy(true);
    CallerScope caller = caller("a", false, List.of());
    assertEquals(Decision.ALLOW, policy.triggerDag(caller, dag("own", "a"), List.of()));
    assertEquals(Decision.ALLOW, policy.triggerDag(caller, dag("shared", "b"), List.of("a")));
    assertInstanceOf(Decision.Conceal.class, policy.triggerDag(caller, dag("private", "b"), List.of()));
    assertInstanceOf(Decision.Deny.class, policy.triggerDag(caller, dag("global", null), List.of()));
    assertEquals(Decision.ALLOW, policy.triggerDag(caller(null, false, List.of()), dag("global", null), List.of()));
    assertEquals(Decision.ALLOW, policy(false).triggerDag(caller, dag("global", null), List.of()));
  }

  @Test
  void skipsTeamChecksWhenMultiTeamIsOff() {
    assertEquals(Decision.ALLOW, policy(false).readVariable(caller("a", false, List.of()), "k", "b"));
  }

  @Test
  void declaredPatternsStillApplyWhenMultiTeamIsOff() {
    CallerScope caller = caller("a", true, List.of("etl_*", "exact"));
    AuthorizationPolicy policy = policy(false);
    assertEquals(Decision.ALLOW, policy.variableDeclared(caller, "etl_source"));
    assertEquals(Decision.ALLOW, policy.variableDeclared(caller, "exact"));
    assertInstanceOf(Decision.Deny.class, policy.variableDeclared(caller, "exactly"));
    assertInstanceOf(Decision.Deny.class, policy.variableDeclared(caller, "other"));
  }
}
