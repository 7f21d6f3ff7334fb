package dev.taskcert.pki.revocation;

import org.bouncycastle.asn1.x509.CRLReason;

/**
 * Why a certificate was revoked: the RFC 5280 reason codes that apply to certificates this CA
 * issues. {@link #UNSPECIFIED} is written as no reason code at all, as RFC 5280 recommends.
 */
public enum RevocationReason {
  UNSPECIFIED(CRLReason.unspecified),
  KEY_COMPROMISE(CRLReason.keyCompromise),
  CA_COMPROMISE(CRLReason.cACompromise),
  AFFILIATION_CHANGED(CRLReason.affiliationChanged),
  SUPERSEDED(CRLReason.superseded),
  CESSATION_OF_OPERATION(CRLReason.cessationOfOperation),
  PRIVILEGE_WITHDRAWN(CRLReason.privilegeWithdrawn);

  private final int code;

  RevocationReason(int code) {
    this.code = code;
  }

  /** The RFC 5280 {@code CRLReason} value. */
  public int code() {
    return code;
  }
}
