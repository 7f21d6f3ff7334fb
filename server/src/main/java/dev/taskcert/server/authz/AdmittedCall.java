package dev.taskcert.server.authz;

import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.Context;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the front door established about a call it admitted: the method, its rule, the verified
 * caller ({@code null} for an anonymous method) and, for a task, its try as the gate admitted it.
 * It also records whether the call made a scope decision, which a method reaching others'
 * resources must do before it answers.
 */
public record AdmittedCall(
    String method, MethodRule rule, Principal principal, TaskInstanceRow admittedTry, AtomicBoolean scopeDecided) {
  /** Where the front door leaves the admitted call for the code that serves it. */
  public static final Context.Key<AdmittedCall> KEY = Context.key("taskcert.admitted-call");

  /** A newly admitted call that has made no scope decision yet. */
  public static AdmittedCall of(String method, MethodRule rule, Principal principal, TaskInstanceRow admittedTry) {
    return new AdmittedCall(method, rule, principal, admittedTry, new AtomicBoolean());
  }
}
