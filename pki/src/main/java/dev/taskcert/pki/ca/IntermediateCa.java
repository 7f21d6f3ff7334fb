package dev.taskcert.pki.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The online signing authority: the intermediate certificate, its private key, and the root it
 * chains to. Only this key is needed to issue task certificates; the root key can stay offline.
 */
public record IntermediateCa(X509Certificate certificate, PrivateKey privateKey, X509Certificate root) {}
