package dev.taskcert.server.audit;

/**
 * One audit event as it is stored: its kind's label and its fields, each already clipped to the
 * stored length. Built by {@link AuditLog#event}; a statement that records its event together with
 * the work the event is about inserts it with {@link AuditMapper#INSERT} and {@link AuditMapper#EVENT}.
 */
public record AuditEvent(String kind, String principal, String rpc, String resource, String detail) {}
