package io.nsnet.netns;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.LibC;
import io.nsnet.libc.Native;

/**
 * Runs tasks inside a network namespace on dedicated platform threads, the way containernetworking's
 * {@code pkg/ns} does with a locked OS thread.
 *
 * <p>setns(2) moves only the calling thread, so each worker enters the target namespace, runs the task, and
 * switches back to the home namespace (the process's, read from /proc/self, never from the current thread).
 * A worker that cannot switch back is discarded, never reused. Workers also enter the home namespace when
 * they start, because a new thread inherits the namespace of the thread that created it, and the pool may
 * create a worker from a thread that is itself inside some other namespace.
 */
public final class NsExecutor implements AutoCloseable {
    private static final java.nio.file.Path THREAD_NS = java.nio.file.Path.of("/proc/thread-self/ns/net");
    private final LibC libc = Native.libc();
    private final int homeFd;
    private final NsId homeId;
    private final ThreadPoolExecutor pool;
    /** Whether /run/netns was made a shared mount point by this process already (see NetNs#create). */
    private final java.util.concurrent.atomic.AtomicBoolean runDirPrepared = new java.util.concurrent.atomic.AtomicBoolean();

    public NsExecutor() {
        this.homeFd = Native.check(libc.open("/proc/self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC, 0),
                "open(/proc/self/ns/net)");
        this.homeId = NsId.of(java.nio.file.Path.of("/proc/self/ns/net"));
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(() -> {
                enterHome();
                r.run();
            }, "netns-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
    }

    /** The namespace workers return to after each task. */
    public NsId home() {
        return homeId;
    }

    /** Runs {@code prepare} once per executor; a failure lets the next caller try again. */
    void prepareRunDirOnce(Runnable prepare) {
        synchronized (runDirPrepared) {
            if (!runDirPrepared.get()) {
                prepare.run();
                runDirPrepared.set(true);
            }
        }
    }

    private void enterHome() {
        if (libc.setns(homeFd, Native.CLONE_NEWNET) != 0) {
            throw new WorkerLostError("new worker could not enter the home namespace: errno " + Native.errno());
        }
    }

    /**
     * Runs {@code task} inside {@code ns} and returns its result; exceptions of the task are rethrown. A thread
     * that is already inside {@code ns} runs the task itself, without a hand-off and two setns calls: nsnetd
     * managing the namespace it runs in (no --host-netns) opens a socket in it for every proxied connection.
     * Tasks given here must leave their thread in the namespace they ran in (those that may not, such as an
     * unshare, go through {@link #callAtHome}); one that moves the caller's thread is moved back.
     */
    public <T> T call(NetNs ns, Callable<T> task) {
        if (!inside(ns)) {
            return call(ns.fd(), ns.toString(), task);
        }
        T result;
        try {
            result = task.call();
        } catch (RuntimeException | Error e) {
            comeBack(ns, e);
            throw e;
        } catch (Exception e) {
            NamespaceException wrapped = new NamespaceException("task in " + ns + " failed: " + e.getMessage(), e);
            comeBack(ns, wrapped);
            throw wrapped;
        }
        comeBack(ns, null);
        return result;
    }

    /** Puts back into {@code ns} a caller's thread that a task run inline moved; the task's failure stays attached. */
    private void comeBack(NetNs ns, Throwable failure) {
        if (!inside(ns) && libc.setns(ns.fd(), Native.CLONE_NEWNET) != 0) {
            IllegalStateException stuck = new IllegalStateException("a task moved the calling thread out of " + ns
                    + " and it could not go back: errno " + Native.errno());
            if (failure != null) {
                stuck.addSuppressed(failure);
            }
            throw stuck;
        }
    }

    /**
     * Whether the calling thread is in {@code ns}: one readlink of /proc/thread-self/ns/net ("net:[INODE]"; all
     * namespaces share nsfs, so the inode names one), a few times cheaper than a stat through NIO.
     */
    private static boolean inside(NetNs ns) {
        try {
            String link = java.nio.file.Files.readSymbolicLink(THREAD_NS).toString();
            return link.equals("net:[" + ns.id().ino() + "]");
        } catch (java.io.IOException e) {
            return false; // no /proc: hand the task to a worker, which does not need to know
        }
    }

    /** Runs {@code task} on a worker in the home namespace; the task may move its thread (e.g. unshare). */
    public <T> T callAtHome(Callable<T> task) {
        return call(homeFd, "home", task);
    }

    /**
     * Starts {@code task} on a worker in the home namespace and returns at once: for work done ahead of time
     * (a spare namespace) that nobody should wait for unless they need its result.
     */
    public <T> Future<T> submitAtHome(Callable<T> task) {
        return submit(homeFd, "home", task);
    }

    private <T> T call(int targetFd, String label, Callable<T> task) {
        return await(submit(targetFd, label, task), label);
    }

    private <T> FutureTask<T> submit(int targetFd, String label, Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(() -> {
            if (libc.setns(targetFd, Native.CLONE_NEWNET) != 0) {
                // Still at home: the worker stays usable.
                throw new ErrnoException("setns(" + label + ")", Native.errno());
            }
            try {
                return task.call();
            } finally {
                // Always switch back: the task itself may have unshared or entered another namespace.
                if (libc.setns(homeFd, Native.CLONE_NEWNET) != 0) {
                    int errno = Native.errno();
                    // Discard this thread once the task's outcome is delivered; never reuse it.
                    Thread.currentThread().setName("netns-worker-lost");
                    throw new WorkerLostError("could not switch back to the home namespace after a task in "
                            + label + ": errno " + errno);
                }
            }
        });
        pool.execute(() -> {
            future.run();
            try {
                future.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WorkerLostError lost) {
                    throw lost; // kills the worker; the pool starts a fresh one when needed
                }
            } catch (InterruptedException | CancellationException e) {
                Thread.currentThread().interrupt();
            }
        });
        return future;
    }

    private static <T> T await(Future<T> future, String label) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NamespaceException("interrupted while running a task in " + label, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new NamespaceException("task in " + label + " failed: " + c.getMessage(), c);
        }
    }

    @Override
    public void close() {
        pool.shutdown();
        libc.close(homeFd);
    }

    /** Thrown on a worker whose namespace is no longer known; it ends that thread. */
    public static final class WorkerLostError extends Error {
        private static final long serialVersionUID = 1L;

        WorkerLostError(String message) {
            super(message);
        }
    }
}
