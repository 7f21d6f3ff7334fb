package dev.taskcert.supervisor.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of the channels a rotating channel opens: every one of them is shut down once it
 * is replaced or the rotating channel is closed, including one a rotation opened while the close
 * was under way. The channels are real (plaintext, towards a port nobody listens on); the
 * credentials are never looked at, so none are made.
 */
class RotatingChannelTest {
  private static final String NOWHERE = "localhost:1";

  /** Opens real channels and remembers them; from the second one on, can hold the opening back. */
  private static final class Channels implements BiFunction<String, TaskCredentials, ManagedChannel> {
    final List<ManagedChannel> opened = new CopyOnWriteArrayList<>();
    final CountDownLatch rotationOpening = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean holdRotations;

    @Override
    public ManagedChannel apply(String target, TaskCredentials credentials) {
      if (holdRotations && !opened.isEmpty()) {
        rotationOpening.countDown();
        try {
          assertTrue(release.await(30, TimeUnit.SECONDS), "the test never released the rotation");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
      opened.add(channel);
      return channel;
    }
  }

  @Test
  void eachRotationShutsThePreviousChannelDownAndCloseShutsTheLastOne() {
    Channels channels = new Channels();
    RotatingChannel channel = new RotatingChannel(NOWHERE, null, channels);
    channel.rotate(null);
    channel.rotate(null);
    assertEquals(3, channels.opened.size());
    assertTrue(channels.opened.get(0).isShutdown());
    assertTrue(channels.opened.get(1).isShutdown());
    assertFalse(channels.opened.get(2).isShutdown());
    channel.close();
    assertTrue(channels.opened.get(2).isShutdown());
  }

  @Test
  void aRotationAfterCloseOpensNothing() {
    Channels channels = new Channels();
    RotatingChannel channel = new RotatingChannel(NOWHERE, null, channels);
    channel.close();
    channel.rotate(null);
    assertEquals(1, channels.opened.size());
  }

  @Test
  void aRotationThatFinishesDuringCloseShutsItsNewChannelDown() throws Exception {
    Channels channels = new Channels();
    RotatingChannel channel = new RotatingChannel(NOWHERE, null, channels);
    channels.holdRotations = true;
    // The renewal thread has its new certificate and is opening the channel for it...
    Thread rotation = new Thread(() -> channel.rotate(null), "rotation");
    rotation.start();
    assertTrue(channels.rotationOpening.await(30, TimeUnit.SECONDS));
    // ...when the session closes.
    channel.close();
    channels.release.countDown();
    rotation.join(TimeUnit.SECONDS.toMillis(30));
    assertFalse(rotation.isAlive());

    assertEquals(2, channels.opened.size());
    assertTrue(channels.opened.get(0).isShutdown(), "the channel in force at close");
    assertTrue(channels.opened.get(1).isShutdown(), "the channel the rotation opened during close");
  }
}
