package dev.taskcert.pki.cli;

import dev.taskcert.pki.ca.TokenKeyReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** For commands that create an intermediate: the token to generate its key in, and the key's label. */
final class TokenKeyOptions {
  @ArgGroup(exclusive = false, multiplicity = "1")
  TokenOptions token;

  @Option(
      names = "--key-label",
      required = true,
      paramLabel = "LABEL",
      converter = Labels.class,
      description = "label of the new intermediate key in the token, not yet in use there; 1 to 64 characters of [A-Za-z0-9._-]")
  TokenKeyReference label;

  /** Parses a key label, refusing one a token or shell could mangle. */
  static final class Labels implements ITypeConverter<TokenKeyReference> {
    @Override
    public TokenKeyReference convert(String value) {
      try {
        return new TokenKeyReference(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
