package dev.taskcert.server.soak;

import dev.taskcert.supervisor.SupervisorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One soak: starts the supervisors, lets workers call through them continuously, injects a fault
 * into a random running try at every fault interval and replaces that try with the next try of its
 * task once its refusals have been observed, samples resources at every sample interval (printing
 * a progress line), and at the end closes everything and waits until the resources are released.
 */
final class SoakRun {
  /** Refused calls to observe after a fault before the try is replaced. */
  private static final int PROBES = 5;

  private final SoakSettings settings;
  private final SupervisorConfig config;
  private final SoakWorld world;
  private final FaultInjector faults;
  private final ResourceProbe probe;
  private final CallLedger ledger = new CallLedger();
  private final DelayQueue<SoakSupervisor> schedule = new DelayQueue<>();
  private final Set<SoakSupervisor> open = ConcurrentHashMap.newKeySet();
  private final Map<Fault, Integer> injected = Collections.synchronizedMap(new EnumMap<>(Fault.class));
  private final AtomicLong enrollments = new AtomicLong();
  private final AtomicLong renewalsOfClosed = new AtomicLong();
  private final List<ResourceSample> samples = new ArrayList<>();
  private volatile boolean calling;
  private long startedAt;

  SoakRun(SoakSettings settings, SupervisorConfig config, SoakWorld world, FaultInjector faults, ResourceProbe probe) {
    this.settings = settings;
    this.config = config;
    this.world = world;
    this.faults = faults;
    this.probe = probe;
    for (Fault fault : Fault.values()) {
      injected.put(fault, 0);
    }
  }

  SoakReport run() throws Exception {
    ResourceSample beforeStart = probe.sample(Duration.ZERO, 0);
    System.out.println("soak before start: " + beforeStart.describe());
    for (int slot = 0; slot < settings.supervisors(); slot++) {
      SoakSupervisor supervisor = open(slot, faults.queueNextTry(slot, world));
      // Spread the first calls over one call interval.
      supervisor.dueIn(settings.callInterval().multipliedBy(slot).dividedBy(settings.supervisors()));
      schedule.put(supervisor);
    }
    startedAt = System.nanoTime();
    calling = true;
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < settings.workers(); i++) {
      Thread worker = new Thread(this::work, "soak-worker-" + i);
      worker.start();
      workers.add(worker);
    }
    try {
      conduct();
    } finally {
      calling = false;
      for (Thread worker : workers) {
        worker.join(TimeUnit.MINUTES.toMillis(2));
      }
    }
    Duration elapsed = elapsed();
    List<SoakReport.Survivor> survivors = new ArrayList<>();
    long renewals = renewalsOfClosed.get();
    for (SoakSupervisor supervisor : open) {
      renewals += supervisor.renewals();
      if (supervisor.fault() == null) {
        survivors.add(new SoakReport.Survivor(supervisor.toString(), supervisor.age(), supervisor.renewals()));
      }
      supervisor.close();
    }
    int stillOpen = open.size();
    open.clear();
    ResourceSample afterClose = awaitRelease(beforeStart);
    System.out.println("soak after closing " + stillOpen + " sessions: " + afterClose.describe());
    return new SoakReport(ledger, Map.copyOf(injected), survivors, enrollments.get(), renewals, beforeStart,
        List.copyOf(samples), afterClose, elapsed);
  }

  /** On the test thread: injects faults and samples resources until the duration is over. */
  private void conduct() throws InterruptedException {
    long end = startedAt + settings.duration().toNanos();
    long nextFault = startedAt + settings.faultInterval().toNanos();
    long nextSample = startedAt + settings.sampleInterval().toNanos();
    int faultCount = 0;
    while (true) {
      long now = System.nanoTime();
      if (now - nextFault >= 0) {
        injectFault(Fault.values()[faultCount++ % Fault.values().length]);
        nextFault += settings.faultInterval().toNanos();
      }
      if (now - nextSample >= 0) {
        ResourceSample sample = probe.sample(elapsed(), open.size());
        samples.add(sample);
        System.out.println(progress(sample));
        nextSample += settings.sampleInterval().toNanos();
      }
      if (now - end >= 0) {
        return;
      }
      long wait = Math.min(Math.min(nextFault, nextSample), end) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  /** Injects {@code fault} into a random running try that has already renewed. */
  private void injectFault(Fault fault) {
    List<SoakSupervisor> candidates = new ArrayList<>(schedule);
    Collections.shuffle(candidates);
    for (SoakSupervisor target : candidates) {
      if (target.fault() != null || target.renewals() == 0 || !schedule.remove(target)) {
        continue; // faulted already, not renewed yet, or a worker is calling through it right now
      }
      try {
        faults.inject(fault, target, world);
        injected.merge(fault, 1, Integer::sum);
      } catch (RuntimeException e) {
        ledger.recordUnexplained(at() + target + ": injecting " + fault + " failed: " + e);
      } finally {
        target.dueIn(Duration.ZERO);
        schedule.put(target);
      }
      return;
    }
  }

  /** A worker: takes the supervisor due next, makes one call through it, and puts it back. */
  private void work() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (calling) {
      SoakSupervisor supervisor;
      try {
        supervisor = schedule.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (supervisor == null) {
        continue;
      }
      if (supervisor.doneProbing(PROBES, settings.certificateLifetime().multipliedBy(3))) {
        replace(supervisor);
        continue;
      }
      call(supervisor, supervisor.nextOperation(random));
      supervisor.dueIn(settings.callInterval());
      schedule.put(supervisor);
    }
  }

  private void call(SoakSupervisor supervisor, Operation operation) {
    Fault fault = supervisor.fault();
    try {
      supervisor.perform(operation);
      if (fault == null) {
        ledger.recordSuccess(operation);
      } else {
        ledger.recordUnexplained(at() + supervisor + ": " + operation + " succeeded although the try was " + fault);
      }
    } catch (dev.taskcert.supervisor.TaskcertException e) {
      if (fault != null && fault.explains(e)) {
        ledger.recordRefusal(fault);
        supervisor.refused();
      } else {
        ledger.recordUnexplained(at() + supervisor + ": " + operation + " failed"
            + (fault == null ? "" : " (the try was " + fault + ")") + ": " + e.getMessage());
      }
    } catch (RuntimeException e) {
      ledger.recordUnexplained(at() + supervisor + ": " + operation + (fault == null ? "" : " (the try was " + fault + ")")
          + ": " + e);
    }
  }

  /** Closes a faulted supervisor and starts the next try of its task in its place. */
  private void replace(SoakSupervisor faulted) {
    if (faulted.renewalStop() == null) {
      ledger.recordUnexplained(at() + faulted + ": certificate renewal still running long after the try was "
          + faulted.fault());
    }
    open.remove(faulted);
    renewalsOfClosed.addAndGet(faulted.renewals());
    faulted.close();
    try {
      String token = faulted.successorToken() != null ? faulted.successorToken()
          : faults.queueNextTry(faulted.slot(), world);
      schedule.put(open(faulted.slot(), token));
    } catch (RuntimeException e) {
      ledger.recordUnexplained(at() + "starting the next try of " + faulted.taskId() + " failed: " + e);
    }
  }

  private SoakSupervisor open(int slot, String token) {
    SoakSupervisor supervisor = SoakSupervisor.open(config, token, slot, world, ledger);
    enrollments.incrementAndGet();
    open.add(supervisor);
    return supervisor;
  }

  /**
   * Waits until the closed sessions have let go of their renewal threads, channels and server
   * connections (closing is asynchronous at the edges), for at most half a minute.
   */
  private ResourceSample awaitRelease(ResourceSample beforeStart) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      ResourceSample sample = probe.sample(elapsed(), 0);
      boolean released = sample.renewalThreads() == 0
          && sample.clientChannels() <= beforeStart.clientChannels()
          && sample.serverConnections() <= beforeStart.serverConnections();
      if (released || System.nanoTime() > deadline) {
        return sample;
      }
      Thread.sleep(500);
    }
  }

  private Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedAt);
  }

  private String at() {
    return "[" + elapsed().toSeconds() + " s] ";
  }

  private String progress(ResourceSample sample) {
    long renewals = renewalsOfClosed.get() + open.stream().mapToLong(SoakSupervisor::renewals).sum();
    return String.format("soak %s/%s calls ok=%d refused=%d unexplained=%d renewals=%d enrollments=%d faults=%s | %s",
        clock(sample.at()), clock(settings.duration()), ledger.succeeded(), ledger.refused(), ledger.unexplained(),
        renewals, enrollments.get(), injected, sample.describe());
  }

  private static String clock(Duration duration) {
    return String.format("%d:%02d", duration.toMinutes(), duration.toSecondsPart());
  }
}
