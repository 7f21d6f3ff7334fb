package dev.taskcert.pki.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A root certificate with its private key: what signs intermediates. Needed only at {@code init},
 * intermediate rotation and root rollover, so it can live offline the rest of the time.
 */
public record RootCa(X509Certificate certificate, PrivateKey privateKey) {}
