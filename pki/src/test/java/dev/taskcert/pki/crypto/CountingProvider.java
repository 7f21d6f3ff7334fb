package dev.taskcert.pki.crypto;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyFactorySpi;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyPairGeneratorSpi;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JCA provider that counts the ECDSA signatures made and checked through it and leaves the work to
 * another provider: a stand-in for a native provider, so tests can see which provider did the work.
 * It offers SHA-256 and SHA-384 ECDSA and EC keys, nothing else.
 */
public final class CountingProvider extends Provider {
  private static final long serialVersionUID = 1L;

  private final transient AtomicInteger signed = new AtomicInteger();
  private final transient AtomicInteger verified = new AtomicInteger();

  public CountingProvider(String name, Provider delegate) {
    super(name, "1.0", "counts the ECDSA signatures of " + delegate.getName());
    for (String algorithm : List.of("SHA256withECDSA", "SHA384withECDSA")) {
      putService(new Service(this, "Signature", algorithm, Counting.class.getName(), null, null) {
        @Override
        public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
          return new Counting(Signature.getInstance(algorithm, delegate));
        }
      });
    }
    putService(new Service(this, "KeyPairGenerator", "EC", Pairs.class.getName(), null, null) {
      @Override
      public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
        return new Pairs(KeyPairGenerator.getInstance("EC", delegate));
      }
    });
    putService(new Service(this, "KeyFactory", "EC", Keys.class.getName(), null, null) {
      @Override
      public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
        return new Keys(KeyFactory.getInstance("EC", delegate));
      }
    });
  }

  /** Signatures made through this provider so far. */
  public int signed() {
    return signed.get();
  }

  /** Signatures checked through this provider so far. */
  public int verified() {
    return verified.get();
  }

  private final class Counting extends SignatureSpi {
    private final Signature delegate;

    Counting(Signature delegate) {
      this.delegate = delegate;
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      delegate.initVerify(key);
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
      delegate.initSign(key);
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      delegate.update(b);
    }

    @Override
    protected void engineUpdate(byte[] bytes, int offset, int length) throws SignatureException {
      delegate.update(bytes, offset, length);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      signed.incrementAndGet();
      return delegate.sign();
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
      verified.incrementAndGet();
      return delegate.verify(signature);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String parameter, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String parameter) {
      throw new UnsupportedOperationException();
    }
  }

  private static final class Pairs extends KeyPairGeneratorSpi {
    private final KeyPairGenerator delegate;

    Pairs(KeyPairGenerator delegate) {
      this.delegate = delegate;
    }

    @Override
    public void initialize(int keySize, SecureRandom random) {
      delegate.initialize(keySize, random);
    }

    @Override
    public void initialize(AlgorithmParameterSpec parameters, SecureRandom random)
        throws InvalidAlgorithmParameterException {
      delegate.initialize(parameters, random);
    }

    @Override
    public KeyPair generateKeyPair() {
      return delegate.generateKeyPair();
    }
  }

  private static final class Keys extends KeyFactorySpi {
    private final KeyFactory delegate;

    Keys(KeyFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    protected PublicKey engineGeneratePublic(KeySpec spec) throws InvalidKeySpecException {
      return delegate.generatePublic(spec);
    }

    @Override
    protected PrivateKey engineGeneratePrivate(KeySpec spec) throws InvalidKeySpecException {
      return delegate.generatePrivate(spec);
    }

    @Override
    protected <T extends KeySpec> T engineGetKeySpec(Key key, Class<T> type) throws InvalidKeySpecException {
      return delegate.getKeySpec(key, type);
    }

    @Override
    protected Key engineTranslateKey(Key key) throws InvalidKeyException {
      return delegate.translateKey(key);
    }
  }
}
