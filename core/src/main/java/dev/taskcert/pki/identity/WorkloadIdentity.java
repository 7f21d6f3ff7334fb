package dev.taskcert.pki.identity;

/**
 * Who a certificate speaks for: either one task try or one control-plane/operator principal.
 * The two kinds have distinct SPIFFE ID shapes so an Admin API can never accept a task certificate.
 */
public sealed interface WorkloadIdentity permits TaskIdentity, AdminIdentity {}
