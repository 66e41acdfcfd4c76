"""Pure campaign domain: content model, progress, steps, tiers, eligibility, spawn rules.

Nothing in this package touches pygame, cv2, HTTP or the disk, so the server imports it too
and both sides compute the same result.
"""
