package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.WorkloadIdentity;
import java.time.Instant;

/**
 * The verified caller of an RPC: the identity in its client certificate plus the certificate facts
 * checked on every call (validity window; serial for revocation and audit). Which kind of identity
 * a method accepts is the method's rule, enforced by the front door; this value only carries it.
 */
public record Principal(
    WorkloadIdentity identity, String spiffeId, String serialHex, Instant notBefore, Instant notAfter) {}
