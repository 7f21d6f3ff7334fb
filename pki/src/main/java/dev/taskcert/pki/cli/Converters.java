package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.revocation.RevocationReason;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns option values into domain values; a bad value is a usage error (exit 2). */
final class Converters {
  private Converters() {}

  /** A SPIFFE trust domain. */
  static final class TrustDomains implements ITypeConverter<TrustDomain> {
    @Override
    public TrustDomain convert(String value) {
      try {
        return new TrustDomain(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** An admin name such as {@code ops-alice}. */
  static final class AdminNames implements ITypeConverter<AdminIdentity> {
    @Override
    public AdminIdentity convert(String value) {
      try {
        return new AdminIdentity(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A certificate serial number in hex. */
  static final class Serials implements ITypeConverter<BigInteger> {
    @Override
    public BigInteger convert(String value) {
      try {
        return SerialNumbers.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A SHA-256 certificate fingerprint. */
  static final class Fingerprints implements ITypeConverter<CertificateFingerprint> {
    @Override
    public CertificateFingerprint convert(String value) {
      try {
        return CertificateFingerprint.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A key algorithm, in any case, with {@code -} or {@code _}: {@code ec-p384}, {@code EC_P384}. */
  static final class KeyAlgorithms implements ITypeConverter<KeyAlgorithm> {
    @Override
    public KeyAlgorithm convert(String value) {
      return enumValue(KeyAlgorithm.class, value);
    }
  }

  /** A revocation reason, in any case, with {@code -} or {@code _}. */
  static final class RevocationReasons implements ITypeConverter<RevocationReason> {
    @Override
    public RevocationReason convert(String value) {
      return enumValue(RevocationReason.class, value);
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String value) {
    String name = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(name)) {
        return constant;
      }
    }
    throw new TypeConversionException(
        "'" + value + "' is not one of " + Arrays.toString(type.getEnumConstants()));
  }
}
