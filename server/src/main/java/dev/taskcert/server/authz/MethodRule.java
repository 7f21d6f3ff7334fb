package dev.taskcert.server.authz;

import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.proto.authz.v1.Resource;
import dev.taskcert.proto.authz.v1.Rule;
import dev.taskcert.server.taskinstance.TaskState;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The authorization rule of one method, as declared by its {@code (taskcert.authz.v1.rule)}
 * option: who may call, in which states of the caller's try, and what it reaches. Only valid
 * combinations can be built, so a served method's rule is always one the front door can enforce.
 *
 * @param gateInStatement whether the method checks the caller's revocation and try gate in its own
 *     statement ({@link TryGate#applied}), so that the front door reads nothing for it
 */
public record MethodRule(
    String method, Caller caller, Set<TaskState> tryStates, Set<TaskState> repeatStates, Resource resource,
    String summary, boolean postTerminalGrace, boolean gateInStatement) {

  private static final Set<Resource> ANONYMOUS_RESOURCES = EnumSet.of(Resource.RESOURCE_PUBLIC,
      Resource.RESOURCE_ENROLLMENT_TOKEN);
  private static final Set<Resource> TASK_RESOURCES = EnumSet.of(Resource.RESOURCE_OWN_TRY,
      Resource.RESOURCE_VARIABLE, Resource.RESOURCE_CONNECTION, Resource.RESOURCE_XCOM, Resource.RESOURCE_OWN_XCOM,
      Resource.RESOURCE_ASSET, Resource.RESOURCE_OWN_TASK_INSTANCE, Resource.RESOURCE_DAG,
      Resource.RESOURCE_DAG_TRIGGER);
  /** What a finished try may still reach in its post-terminal grace: reads of its variables and connections, its own XComs. */
  private static final Set<Resource> GRACE_RESOURCES = EnumSet.of(Resource.RESOURCE_VARIABLE,
      Resource.RESOURCE_CONNECTION, Resource.RESOURCE_OWN_XCOM);
  private static final Set<Resource> SCOPED_RESOURCES = EnumSet.of(Resource.RESOURCE_VARIABLE,
      Resource.RESOURCE_CONNECTION, Resource.RESOURCE_XCOM, Resource.RESOURCE_ASSET, Resource.RESOURCE_DAG,
      Resource.RESOURCE_DAG_TRIGGER);

  public MethodRule {
    tryStates = tryStates.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(tryStates));
    repeatStates = repeatStates.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(repeatStates));
    String problem = problem(caller, tryStates, repeatStates, resource);
    if (problem == null && postTerminalGrace && (caller != Caller.CALLER_TASK || !GRACE_RESOURCES.contains(resource))) {
      problem = "post-terminal grace is only for a task's variable and connection reads and its own XComs, not "
          + caller + " on " + resource;
    }
    if (problem == null && gateInStatement && (caller != Caller.CALLER_TASK || resource != Resource.RESOURCE_OWN_TRY
        || !repeatStates.isEmpty() || postTerminalGrace)) {
      problem = "the gate is checked in the method's own statement only for a task's call on its own try, "
          + "without repeat states or post-terminal grace";
    }
    if (problem != null) {
      throw new InvalidRuleException(method + ": " + problem);
    }
  }

  /** The rule a method's option declares. */
  public static MethodRule fromProto(String method, Rule rule) {
    return new MethodRule(method, rule.getCaller(), states(rule.getTryStatesList()),
        states(rule.getRepeatStatesList()), rule.getResource(), rule.getSummary(), rule.getPostTerminalGrace(),
        rule.getGateInStatement());
  }

  /**
   * Whether the method must make a scope decision through the {@link ResourceGate} before it
   * answers: variables, connections and XComs of others. The front door refuses to send an answer
   * that was not preceded by one.
   */
  public boolean needsScopeDecision() {
    return SCOPED_RESOURCES.contains(resource);
  }

  /** Whether a try in {@code state} is admitted, as a first call or as a possible repeat. */
  public boolean admits(TaskState state) {
    return tryStates.contains(state) || repeatStates.contains(state);
  }

  /** The states a first call needs, for messages: "RUNNING" or "QUEUED or RUNNING". */
  public String tryStatesText() {
    return tryStates.stream().sorted().map(Enum::name).collect(Collectors.joining(" or "));
  }

  private static String problem(Caller caller, Set<TaskState> tryStates, Set<TaskState> repeatStates,
      Resource resource) {
    if (resource == null || resource == Resource.RESOURCE_UNSPECIFIED || resource == Resource.UNRECOGNIZED) {
      return "the rule names no resource";
    }
    if (caller == null) {
      return "the rule names no caller";
    }
    return switch (caller) {
      case CALLER_ANONYMOUS -> !tryStates.isEmpty() || !repeatStates.isEmpty()
          ? "an anonymous caller has no try, so the rule cannot name try states"
          : ANONYMOUS_RESOURCES.contains(resource) ? null
          : "an anonymous caller may reach only public information or an enrollment token, not " + resource;
      case CALLER_ADMIN -> !tryStates.isEmpty() || !repeatStates.isEmpty()
          ? "an admin caller has no try, so the rule cannot name try states"
          : resource == Resource.RESOURCE_CONTROL_PLANE ? null
          : "an admin caller reaches the control plane only, not " + resource;
      case CALLER_TASK -> tryStates.isEmpty()
          ? "a task caller's rule must name the try states it is admitted in"
          : TASK_RESOURCES.contains(resource) ? null
          : "a task caller may not reach " + resource;
      default -> "the rule names no caller";
    };
  }

  private static Set<TaskState> states(java.util.List<dev.taskcert.proto.execution.v1.TaskState> wire) {
    EnumSet<TaskState> states = EnumSet.noneOf(TaskState.class);
    for (dev.taskcert.proto.execution.v1.TaskState state : wire) {
      TaskState domain = TaskState.fromProto(state);
      if (domain == null) {
        throw new InvalidRuleException("the rule names an unknown try state " + state);
      }
      states.add(domain);
    }
    return states;
  }

  /** A rule that is missing or cannot be enforced: the server must not start with it. */
  public static final class InvalidRuleException extends IllegalStateException {
    public InvalidRuleException(String message) {
      super(message);
    }
  }
}
