package io.quiver.proxy.security;

import io.quiver.storage.MetaKv;

/**
 * A MetaKv watch listener for the proxy's caches that follow a watch ({@link CredentialCache}, {@link RbacCache}):
 * a compaction past the watch's revision and a broken watch are both one event for them, "the watch ended", after
 * which the cache re-establishes it.
 */
abstract class WatchEndListener implements MetaKv.WatchListener {
    /** The watch delivers nothing more; {@code why} is for the log. */
    abstract void ended(String why);

    @Override
    public final void onCompacted(long compactRevision) {
        ended("compacted at revision " + compactRevision);
    }

    @Override
    public final void onError(Throwable error) {
        ended(error.toString());
    }
}
