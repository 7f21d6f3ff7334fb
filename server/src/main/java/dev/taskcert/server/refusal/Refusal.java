package dev.taskcert.server.refusal;

import dev.taskcert.audit.AuditKind;

/**
 * Why the server refuses a request, thrown by domain code anywhere below the edge. It says what
 * went wrong in domain terms ({@link Kind}) and whether the refusal is a security event to audit;
 * the edge alone turns it into a gRPC status and writes the audit record, so no domain class
 * depends on the transport.
 */
public final class Refusal extends RuntimeException {
  /** What kind of refusal this is; the edge maps each to one gRPC status code. */
  public enum Kind {
    /** The request itself is malformed or out of bounds (INVALID_ARGUMENT). */
    INVALID_REQUEST,
    /** A value the request selects lies outside what may be returned at once (OUT_OF_RANGE). */
    OUT_OF_RANGE,
    /** What the request names does not exist (NOT_FOUND). */
    NOT_FOUND,
    /** The caller's credentials are missing, expired, revoked, or a token is not valid (UNAUTHENTICATED). */
    NOT_AUTHENTICATED,
    /** The caller is known but may not do this (PERMISSION_DENIED). */
    NOT_PERMITTED,
    /** The task try is not in a state that allows this call (FAILED_PRECONDITION). */
    WRONG_STATE,
    /** The caller, or all callers together, asked for more than the server takes on now (RESOURCE_EXHAUSTED). */
    EXHAUSTED,
    /** What the request would create exists already (ALREADY_EXISTS). */
    EXISTS
  }

  private final Kind kind;
  private final String resource;
  private final AuditKind audit;
  private final String auditDetail;

  private Refusal(Kind kind, String message, String resource, AuditKind audit, String auditDetail) {
    super(message, null, false, false);
    this.kind = kind;
    this.resource = resource;
    this.audit = audit;
    this.auditDetail = auditDetail;
  }

  /** A malformed or oversized request; not audited. */
  public static Refusal invalid(String message) {
    return new Refusal(Kind.INVALID_REQUEST, message, null, null, null);
  }

  /** A request selecting more than may be returned at once; not audited. */
  public static Refusal outOfRange(String message) {
    return new Refusal(Kind.OUT_OF_RANGE, message, null, null, null);
  }

  /** Something the request names does not exist; not audited. */
  public static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, message, null, null, null);
  }

  /** What the request would create exists already; not audited. */
  public static Refusal exists(String message) {
    return new Refusal(Kind.EXISTS, message, null, null, null);
  }

  /** An authorization rule refuses {@code resource} to the caller; audited as a denial. */
  public static Refusal denied(String resource, String reason) {
    return new Refusal(Kind.NOT_PERMITTED, reason, resource, AuditKind.DENY, reason);
  }

  /**
   * An authorization rule refuses {@code resource}: the caller is told {@code reason}, the audit
   * record says {@code auditDetail} (which may name what the caller must not learn, such as the
   * owning team).
   */
  public static Refusal denied(String resource, String reason, String auditDetail) {
    return new Refusal(Kind.NOT_PERMITTED, reason, resource, AuditKind.DENY, auditDetail);
  }

  /**
   * An authorization rule refuses {@code resource}, whose existence the caller must not learn: it
   * gets NOT_FOUND with {@code message}, the words an absent resource gets, while the audit records
   * the denial with {@code auditDetail}.
   */
  public static Refusal concealed(String resource, String message, String auditDetail) {
    return new Refusal(Kind.NOT_FOUND, message, resource, AuditKind.DENY, auditDetail);
  }

  /** The caller's try is not current or not in a state the call allows; audited as a denial. */
  public static Refusal tryState(String reason) {
    return new Refusal(Kind.WRONG_STATE, reason, "task_instance", AuditKind.DENY, reason);
  }

  /** A state conflict that is not a security event (for example a superseded enrollment); not audited. */
  public static Refusal precondition(String message) {
    return new Refusal(Kind.WRONG_STATE, message, null, null, null);
  }

  /** The caller's certificate is missing, not valid now, or revoked; audited. */
  public static Refusal unauthenticated(String reason) {
    return new Refusal(Kind.NOT_AUTHENTICATED, reason, null, AuditKind.UNAUTHENTICATED, reason);
  }

  /**
   * An anonymous enrollment refused: the caller is told {@code message}, the audit record says
   * {@code why} (which may tell apart what the caller must not learn).
   */
  public static Refusal enrollment(Kind kind, String resource, String message, String why) {
    return new Refusal(kind, message, resource, AuditKind.ENROLL_REFUSED, why);
  }

  public Kind kind() {
    return kind;
  }

  /** What was refused, for the audit record (for example {@code variable:key}), or {@code null}. */
  public String resource() {
    return resource;
  }

  /** How the refusal is audited, or {@code null} when it is not a security event. */
  public AuditKind audit() {
    return audit;
  }

  /** The detail the audit record carries. */
  public String auditDetail() {
    return auditDetail;
  }
}
