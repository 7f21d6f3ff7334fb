package dev.taskcert.server.authz;

import dev.taskcert.proto.authz.v1.Resource;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The rule table of the contract as people read it, generated from the methods' {@code
 * (taskcert.authz.v1.rule)} options: {@code docs/authorization.md} embeds {@link #markdownTable()},
 * {@code taskcert-server rules} prints it, and a test checks the docs against it, so the table
 * cannot drift from what the front door enforces.
 */
public final class AuthorizationRules {
  private AuthorizationRules() {}

  /** Every rule of the contract, then the standard services', as the table lists them. */
  public static List<MethodRule> rules() {
    return Stream.concat(MethodRules.contract().stream(), MethodRules.foreign().stream()).toList();
  }

  /** The table as Markdown, as embedded in {@code docs/authorization.md}. */
  public static String markdownTable() {
    return "| RPC | caller | try states | repeat states | resource | rule | refusals |\n"
        + "|---|---|---|---|---|---|---|\n"
        + rules().stream()
            .map(r -> "| `" + r.method() + "` | " + caller(r) + " | " + states(r.tryStates())
                + (r.postTerminalGrace() ? " (and a finished try within its post-terminal grace)" : "")
                + (r.gateInStatement() ? " (checked, with revocation, by the call's own statement)" : "") + " | "
                + states(r.repeatStates()) + " | " + resource(r.resource()) + " | " + r.summary() + " | "
                + String.join(", ", refusals(r)) + " |")
            .collect(Collectors.joining("\n"))
        + "\n";
  }

  /** The statuses a call of this rule can be refused with, derived from the rule. */
  static List<String> refusals(MethodRule rule) {
    return switch (rule.caller()) {
      case CALLER_ANONYMOUS -> rule.resource() == Resource.RESOURCE_ENROLLMENT_TOKEN
          ? List.of("UNAUTHENTICATED (token)", "INVALID_ARGUMENT", "FAILED_PRECONDITION (token's try)",
              "RESOURCE_EXHAUSTED (address rate, capacity)")
          : List.of("-");
      case CALLER_ADMIN -> List.of("UNAUTHENTICATED", "PERMISSION_DENIED (not an admin)", "INVALID_ARGUMENT",
          "NOT_FOUND");
      default -> rule.needsScopeDecision()
          ? List.of("UNAUTHENTICATED", "PERMISSION_DENIED (not a task; scope)", "FAILED_PRECONDITION (try)",
              "INVALID_ARGUMENT", "NOT_FOUND")
          : List.of("UNAUTHENTICATED", "PERMISSION_DENIED (not a task)", "FAILED_PRECONDITION (try)",
              "INVALID_ARGUMENT");
    };
  }

  private static String caller(MethodRule rule) {
    return switch (rule.caller()) {
      case CALLER_ANONYMOUS -> "anonymous (TLS, server auth)";
      case CALLER_TASK -> "task certificate";
      case CALLER_ADMIN -> "admin certificate";
      default -> rule.caller().name();
    };
  }

  private static String states(Set<?> states) {
    return states.isEmpty() ? "-" : states.stream().map(Object::toString).collect(Collectors.joining(", "));
  }

  private static String resource(Resource resource) {
    return resource.name().substring("RESOURCE_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
