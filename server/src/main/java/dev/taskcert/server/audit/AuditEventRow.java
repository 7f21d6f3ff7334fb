package dev.taskcert.server.audit;

import java.time.Instant;

/** One stored audit event. */
public record AuditEventRow(
    long id, Instant at, String kind, String principal, String rpc, String resource, String detail) {}
