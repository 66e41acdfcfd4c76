"""Single-frame detection of one planar reference (logo, wordmark or textured poster).

Pipeline (no history; docs/vision.md explains each stage):
1. hypotheses: card regions, edge outlines and ink blobs from the reference's colour model, with
   poses from quads or from second moments plus a polar-signature rotation; textured references
   also get busy patches, a colour template search and local features (ORB over the frame, SIFT
   inside the boxes other hypotheses point at; MAGSAC++, features.py); line art that none of
   these gave gets the shape matcher's poses (shape_match.py, LINE-2D style);
2. ranking by a 32-px correlation, a coarse affine ECC alignment (32 px), a fine
   inverse-compositional alignment (64 px) and, for the best pose only, a polish (128/256 px);
3. verification: trimmed NCC, grid agreement, ink colour and camera consistency, with stricter
   second chances for small, occluded and motion-blurred views; then uniqueness: the pose is
   aligned again from its known confusions (stretched, shifted, turned) and a view whose frame
   does not single it out is refused;
4. near-symmetric marks: the turn is chosen on the pixels where the turns differ, or the view is
   refused. Only verified poses are returned.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from game.vision.align import (
    FramePyramid,
    VerifyTemplate,
    apparent_size,
    ecc_refine,
    frame_patch,
    ic_refine,
    inframe_mask,
    match_score,
    narrowest_stretch,
    normalized_template,
    quick_score,
    verify,
    warp_to_template,
)
from game.vision.blur import MIN_SIDE as BLUR_MIN_SIDE
from game.vision.blur import BlurBank, motion_blur, turned_motion
from game.vision.candidates import (
    box_inked,
    card_hypotheses,
    card_regions,
    cue_maps,
    dedupe,
    ink_hypotheses,
    neutral_ink_hypotheses,
    neutral_ink_profile,
    outline_hypotheses,
    recut_card_hypotheses,
    strong_ink_hypotheses,
)
from game.vision.colour_search import ColourTemplateSearch
from game.vision.detection import Detection
from game.vision.features import FeatureHypotheses
from game.vision.geometry import long_side, perspective_inconsistency, ref_corners, scale_mat, translate_mat
from game.vision.ic import ICTemplate
from game.vision.ink_hue import InkHue
from game.vision.reference import ReferenceModel, as_bgr_frame
from game.vision.shape_match import ShapeMatcher
from game.vision.whitebalance import apply_gains, bright_patch, brightest_block, cast_gains, exposure_gain

log = logging.getLogger(__name__)

# Textured references, when nothing verified: SIFT inside the box around each of the best
# REGION_FEATURES coarse fits, grown by REGION_MARGIN of its size on each side, described at a long
# side between REGION_MIN_PX and REGION_BOX_PX (search px). SIFT's cost grows with the box's area,
# and a large view needs no finest scale; a small view's box is enlarged so that its print spans
# SIFT's finer octaves. Posters of bench/vision_general.py: without the boxes 8 of 86 train
# detections are lost; on val, one box instead of two loses 3 of 57, no enlargement 2, boxes of at
# most 240 px 1; at most 256 px (two thirds of the area of 320 px) loses none on train or val.
REGION_FEATURES = 2
REGION_MARGIN = 0.5
REGION_BOX_PX = 256
REGION_MIN_PX = 160
# ... when the colour template search's best match correlates at least this well (``colour``):
# below it the frame holds nothing laid out in the reference's colours. Views found by the SIFT
# boxes had 0.47 or more (train and val posters; 7 of 287 views), while more than a third of the
# frames without the print stay below 0.42, each sparing 15-25 ms of SIFT.
REGION_MIN_COLOUR = 0.42
# ... and the colour template search tries the reference turned over the full circle: 20 degrees
# apart within 40 degrees of upright, where most handheld prints are, and 40 degrees apart beyond.
# The alignment pulls a start in from about 20 degrees, so 40-degree steps near upright leave
# rolls of 15-25 degrees at the edge of its reach.
TEXTURE_SEARCH_TURNS = (-30.0, -10.0, 10.0, 30.0, 60.0, 100.0, 140.0, 180.0, -140.0, -100.0, -60.0)
# Turn cue: template sides (px) the cue is compared at; a view uses the largest one its apparent
# size covers, so it is sampled at about 1:1 ...
CUE_SIDES = (32, 45, 64, 90, 128, 181, 256)
# ... with the template blurred by the one of these (template px) that matches the view best.
CUE_BLURS = (0.0, 0.7, 1.2, 1.8, 2.6)
RIVAL_MIN_PX = 5.0  # uniqueness: poses whose corners are closer than this (mean, search-image px) are one answer
# Alignment constants (never tuned per frame set, so not DetectorConfig knobs): the coarse 32-px
# ECC alignment runs COARSE_ITERS iterations with an affine motion model, 2-5 % cheaper in median
# detection time than a homography, and the fine alignment adds the perspective (same detections
# +-1 on five frame sets: bench, two cached sets, held-out, colour casts). All alignments smooth
# with an ECC_BLUR kernel: 5 biases a 64-px template by ~1-2 px.
COARSE_ITERS = 15
COARSE_MOTION = cv2.MOTION_AFFINE
ECC_BLUR = 3
# Ink presence (chromatic line art). Verification multiplies a pose's score (at most 1) by its
# colour agreement, 0.5 plus the share of the mark's ink points with an ink-coloured pixel
# (likelihood above 25) beside them (``_colour_agreement``): a pose with no ink colour under it
# scores at most 0.5 and can never reach ``accept_score``. So a frame with fewer than
# INK_MIN_CELLS ink-coloured cells in all is done at once (no generator, ranking, alignment or
# shape search): every view found on train line art had 28 or more in its own box (val: 52), and
# this is half that. And a card region or edge outline with no ink-coloured cell within INK_REACH
# of its size around its box is not cut apart or fitted (``box_inked``): its poses lie in that
# box, and alignment's slack is well inside it (on train, every pose that went on to verify had
# 13 or more ink-coloured pixels within half its size of its box before its coarse alignment).
# The presence map is the half-size ink cue (a 2x2 mean): one pixel above 25 among four makes a
# mean of at least INK_CELL (6.5, rounded).
INK_REACH = 0.5
INK_CELL = 6
INK_MIN_CELLS = 14


@dataclass(frozen=True)
class DetectorConfig:
    """Tunables (defaults calibrated with bench/vision.py)."""

    search_side: int = 640  # long side of the search image; bigger inputs are downscaled first
    max_candidates: int = 3  # regions per generator
    max_edge_quads: int = 8  # edge outlines (each gives up to four corner orders)
    refine_candidates: int = 3  # hypotheses that get a coarse ECC alignment
    min_quick_score: float = 0.1  # 32-px correlation a hypothesis needs to be aligned at all
    min_coarse_cc: float = 0.4  # coarse ECC correlation needed for the fine alignment
    fine_candidates: int = 2  # best coarse alignments that get the fine alignment and verification
    fine_iters: int = 25  # iterations per level of the fine alignment (and of the 256-px polish)
    # A fine alignment whose NCC is still below ``level`` after ``k`` iterations, give_up = (k,
    # level), is abandoned (None = never): on three frame sets no alignment that ended on the
    # print was below 0.36 after four, while two fifths of those on frames without the mark were.
    # (A second gate, 0.38 after eight, saved 0.1 ms more.)
    give_up: tuple[int, float] | None = (4, 0.3)
    angles_per_candidate: int = 2
    # Ink strokes are grouped into blobs across gaps of each of these radii (half-size px): 2 keeps
    # a mark apart from strokes beside it, 5 joins a thin or broken mark's strokes (val: without
    # the 2, 6 views lost and 2 gained)
    ink_gaps: tuple[int, ...] = (2, 5)
    accept_score: float = 0.7  # verification NCC needed to report a detection
    early_exit_score: float = 0.8  # a pose verified this well ends the search (for the early tries: before the outlines)
    shortcut_cc: float = 0.85  # coarse ECC correlation that gets the fine alignment before the other hypotheses
    min_apparent_px: float = 18.0  # smaller than this cannot be verified reliably
    polish_px: float = 130.0  # apparent size above which the 128-px template refines the pose
    # ... and, for references losing more than this share of their detail at 128 px
    # (ReferenceModel.detail_loss), a 256-px ECC alignment after it (inf = never)
    fine_detail_loss: float = 0.1
    max_perspective_error: float = 0.6  # see geometry.perspective_inconsistency
    min_turn_cue: float = 0.5  # symmetric marks: the orientation cue of the reported turn must reach this
    min_turn_lead: float = 0.1  # ... and lead the other turns' cues by this much
    turn_lead: float = 0.15  # ... and a turned pose's cue lead the reported pose's by this, or lead again once re-aligned
    # When the cues name no turn: the log-likelihood ratio of the best turn over the next on the
    # fine cue region (``_decisive_turn``) that names it
    min_turn_evidence: float = 20.0
    use_features: bool | None = None  # local-feature hypotheses (features.py); None: automatically for textured references
    track_confident: float = 0.82  # tracking: an inverse-compositional fit verified below this also gets ECC
    min_visible: float = 0.8  # share of a detected view's quad that must lie inside the frame
    track_min_visible: float = 0.6  # ... and of a tracked one (its pose comes from the previous frame)
    # ... which then must verify at least this well: on the part inside the frame a red ring
    # verified as the rabbit at 0.71; true views of ten marks at 0.6-0.8 visible scored >= 0.92
    partial_accept: float = 0.8
    white_balance_ratio: float = 1.15  # the brightest pixels' channel ratio that counts as a colour cast (0 = never)
    dark_level: float = 110.0  # frames whose brightest pixels are darker get brightened hypotheses (0 = never)
    # A card region whose grey levels fall into two classes this far apart (projection levels) is
    # also split into its brighter and darker parts: a white card before a pale wall (0: off).
    card_tone_split: float = 20.0
    # Textured references: when nothing verified, this many colour template matches (turned and
    # scaled reference thumbnails, colour_search.py) are aligned and verified (0 = never)
    texture_search: int = 2
    # ... whose coarse fit must reach this: true poses of the bench poster fit at 0.73-0.99 (0.78 or
    # more for the ones nothing else found), nine in ten wrong matches on frames without it below 0.65
    texture_search_cc: float = 0.7
    # Uniqueness: a detection verified below this is aligned again from its known confusions
    # (starts stretched by 1.25 and shifted by 12 % along each axis, and the mark's self-matching
    # turns); another pose verifying within ``rival_lead`` of the best means the frame does not
    # fix the pose, and nothing is reported (0 = never check). A textured mark whose verification cannot
    # tell its own 1.25 stretch above this bar instead refuses views below that self-match.
    rival_check_below: float = 0.95
    rival_lead: float = 0.03
    # A view up to this size that fails verification is verified once more against the 64-px
    # template under the motion blur that fits it best (blur.py; 0 = never) ...
    blur_view_px: float = 90.0
    # ... where it must reach this: blurred true views of the bench marks mostly scored 0.86-0.97
    # there, poses on frames without the mark at most 0.84 (docs/vision.md, section 4)
    blur_accept: float = 0.85
    # Line art: when nothing verified, this many poses of the shape matcher (quantised gradient
    # orientations over the whole frame, shape_match.py) are ranked, aligned and verified (0 =
    # never). Train and val line art: 2 finds the same views as 3 or 4, and a frame where nothing
    # verifies (most of them: negatives and misses) aligns one wrong pose less (val median -3 ms).
    shape_hypotheses: int = 2


@dataclass
class FrameContext:
    """Per-frame work shared by detection and tracking (computed lazily)."""

    bgr: np.ndarray
    pyr: FramePyramid
    search_scale: float
    _search: np.ndarray | None = None
    search_gain: float = 1.0  # exposure gain already applied to ``search`` (not to ``pyr``)
    likelihoods: tuple[np.ndarray, np.ndarray] | None = None  # ink and card of ``search``, once computed
    # Chromatic line art: summed-area table of the half-size cells holding an ink-coloured pixel
    # (``INK_REACH``); None: no ink gate
    ink_seen: np.ndarray | None = None

    @property
    def search(self) -> np.ndarray:
        if self._search is None:
            h, w = self.bgr.shape[:2]
            if self.search_scale < 1.0:
                size = (max(1, round(w * self.search_scale)), max(1, round(h * self.search_scale)))
                self._search = cv2.resize(self.bgr, size, interpolation=cv2.INTER_AREA)
            else:
                self._search = self.bgr
        return self._search


@dataclass(frozen=True)
class SelfMatch:
    """A turned pose of the mark that looks like the mark (a symmetry, maybe about an off-centre point).

    ``ref_h`` maps reference px to reference px with ref(ref_h(x)) ~ ref(x) on most of the ink, so a
    detector that locked onto ``h_true @ ref_h`` must try ``h @ inv(ref_h)``. ``score`` is what
    verification gives the turned pose on a clean print.
    """

    quarter_turns: int
    ref_h: np.ndarray
    score: float


def self_matches(templates: list[tuple[np.ndarray, float]], threshold: float = 0.35) -> list[SelfMatch]:
    """Turns (90/180/270 degrees for square-ish marks, else 180) under which the mark nearly matches itself.

    A turn about the centre is not enough: a lantern whose body sits a little off-centre matches
    itself turned by 180 degrees and shifted. So each turn is followed by a phase-correlation
    shift and an affine ECC fit of the template onto itself; the fitted pose is kept when plain
    verification would come close to accepting it (the orientation then rests on small details).
    """
    tmpl, k = templates[2]
    th, tw = tmpl.shape
    vt, vk = templates[1]
    c = ((tw - 1) / 2.0, (th - 1) / 2.0)
    square = 0.9 < tw / th < 1.1
    win = cv2.createHanningWindow((tw, th), cv2.CV_32F)
    out: list[SelfMatch] = []
    for q in ((1, 2, 3) if square else (2,)):
        rot = cv2.getRotationMatrix2D(c, 90.0 * q, 1.0).astype(np.float32)
        turned = cv2.warpAffine(tmpl, rot, (tw, th), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
        # Copies: this OpenCV build's phaseCorrelate (and ECC with one array twice) write into their inputs.
        (dx, dy), _ = cv2.phaseCorrelate(tmpl.copy(), turned, win)
        best: tuple[float, np.ndarray] | None = None
        for sgn in (1.0, -1.0):
            init = (np.vstack([rot, [0, 0, 1]]) @ translate_mat(sgn * dx, sgn * dy))[:2].astype(np.float32)
            try:
                cc, w = cv2.findTransformECC(tmpl.copy(), tmpl.copy(), init, cv2.MOTION_AFFINE,
                                             (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-5), None, 5)
            except cv2.error:
                continue
            if best is None or cc > best[0]:
                best = (float(cc), w)
        if best is None:
            continue
        w3 = np.vstack([best[1].astype(np.float64), [0, 0, 1]])
        if not _is_turn(w3, q):  # ECC wandered off into a stretch, or back towards no turn
            continue
        ref_h = scale_mat(1.0 / k) @ w3 @ scale_mat(k)
        # What verification (64-px template) would say of the turned pose on a clean print.
        m = scale_mat(vk) @ ref_h @ scale_mat(1.0 / vk)
        patch = warp_to_template(vt, m, (vt.shape[1], vt.shape[0]))
        score = match_score(vt, patch, min_cells=0.0)
        if score >= threshold:
            out.append(SelfMatch(q, ref_h, score))
    return out


def _is_turn(w3: np.ndarray, q: int) -> bool:
    """Whether a fitted self-match pose is still a turn by ``q`` quarters.

    Not when ECC wandered off into a stretch; nor when the fit turned back towards the mark's
    own pose (a ring of circles gives ECC no grip on the rotation, and its arcs then pull it back
    to no turn at all): that turn is told apart, and taking it for a symmetry would refuse every view.
    """
    sv = np.linalg.svd(w3[:2, :2], compute_uv=False)
    if sv.min() < 0.8 or sv.max() > 1.25:
        return False
    angle = math.degrees(math.atan2(w3[1, 0], w3[0, 0]))
    return abs((angle + 90.0 * q + 180.0) % 360.0 - 180.0) <= 20.0


class MarkerDetector:
    """Find a planar reference in single frames: ``MarkerDetector(reference_bgr).detect(frame)``."""

    def __init__(self, reference_bgr: np.ndarray, config: DetectorConfig | None = None) -> None:
        self.ref = ReferenceModel(reference_bgr)
        self.config = config or DetectorConfig()
        textured = self.ref.textured
        use = self.config.use_features
        self.use_features = textured if use is None else bool(use)
        self._corners = ref_corners(*self.ref.size).reshape(-1, 1, 2)
        self._self_matches = self_matches(self.ref.templates)
        self._sym_undo = [np.linalg.inv(m.ref_h) for m in self._self_matches]  # h_true = h_turned @ undo
        self._sym_mask = self._symmetry_mask()
        self._sym_idx = np.flatnonzero(self._sym_mask) if self._sym_mask is not None else None
        self._cue = self._cue_region()
        self._cues: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per cue side, once used (_cue_at)
        self._quick_tmpl = normalized_template(self.ref.templates[0][0])
        self._ic = [ICTemplate.build(t, k, blur=ECC_BLUR) for t, k in self.ref.templates]
        self._vt = [VerifyTemplate.build(t) for t, _ in self.ref.templates]
        self._blur_bank: BlurBank | None = None  # built on first use (~60 blurred templates)
        self._ink_hue: InkHue | None = None  # _colour_agreement's (``_ink_hue_model``)
        # Poses without ink colour cannot verify (``INK_REACH``): for chromatic line art whose
        # colour agreement does check the ink's colour (it gives 1.0 below four ink points).
        self._ink_gate = (self.ref.chromatic and not textured
                          and int(self._ink_hue_model().ink.sum()) >= 4)
        # Dark neutral ink on a lighter card: its strokes' width and contrast (``neutral_ink_hypotheses``).
        self._neutral_ink = neutral_ink_profile(self.ref)
        self._fine_polish = (self.ref.template(256) if self.ref.detail_loss(128) > self.config.fine_detail_loss
                             else None)
        # Densely textured patches (candidates.py) are hypotheses for textured references only.
        self._ref_busy = self.ref.busy_share() if textured else None
        self._colour_search = (ColourTemplateSearch(self.ref.bgr, angles=TEXTURE_SEARCH_TURNS)
                               if textured and self.config.texture_search > 0 else None)
        w, h = self.ref.size
        centre, back = translate_mat(w / 2, h / 2), translate_mat(-w / 2, -h / 2)
        # Starts of the uniqueness check (``_unrivalled``): the confusions a frame may not rule out.
        starts = [centre @ translate_mat(tx * w, ty * h) @ np.diag([sx, sy, 1.0]) @ back
                  for sx, sy, tx, ty in ((1.25, 1, 0, 0), (0.8, 1, 0, 0), (1, 1.25, 0, 0), (1, 0.8, 0, 0),
                                         (1, 1, 0.12, 0), (1, 1, -0.12, 0), (1, 1, 0, 0.12), (1, 1, 0, -0.12))]
        # ... less the ones the mark itself rules out: where a clean print seen at the start's pose
        # correlates with the template by less than ``accept_score - rival_lead``
        # (``_self_match``), the frame has nothing near it that could verify within ``rival_lead``
        # of the found pose. The same for its self-matching turns. When a turn verifies above the
        # found pose, all eight starts are aligned: those that settle back on the found pose are
        # the bar the turn must beat (a pose aligned as the turn is).
        possible = [self._self_match(s) + self.config.rival_lead >= self.config.accept_score
                    for s in (*starts, *self._sym_undo)]
        self._rival_turns = [u for u, ok in zip(self._sym_undo, possible[len(starts):], strict=True) if ok]
        self._rival_starts = [s for s, ok in zip(starts, possible[:len(starts)], strict=True) if ok]
        self._bar_starts = starts
        # A photograph plain or banded along an axis verifies against its own stretch (the rival
        # starts' 1.25) nearly as well as against itself. When that self-match plus
        # ``rival_lead`` exceeds the bar above which views go unchecked, no view verifying below
        # it is reported: its score cannot tell it from a stretch. (Line art is left to the
        # rival starts: its strokes pin the alignment, and such a bar refused half the right
        # views of a train wordmark that never gave a wrong pose.)
        stretch_bar = self._self_stretch_score() + self.config.rival_lead if textured else 0.0
        self._stretch_bar = stretch_bar if 0 < self.config.rival_check_below < stretch_bar else 0.0
        # The card's other turns about its centre (quarter turns of a square card, else half).
        turns = (1, 2, 3) if 0.9 < w / h < 1.1 else (2,)
        self._card_turns = [centre @ np.vstack([cv2.getRotationMatrix2D((0, 0), 90.0 * q, 1.0), [0, 0, 1]]) @ back
                            for q in turns]
        self._features = FeatureHypotheses(cv2.cvtColor(self.ref.bgr, cv2.COLOR_BGR2GRAY)) if self.use_features else None
        self._region_features = (FeatureHypotheses(cv2.cvtColor(self.ref.bgr, cv2.COLOR_BGR2GRAY), "sift")
                                 if self.use_features else None)
        self._shape = (ShapeMatcher(self.ref.grey(self.ref.bgr))
                       if self.config.shape_hypotheses > 0 and not self.use_features else None)
        log.debug("detector ready: ref %s, chromatic=%s, features=%s", self.ref.size, self.ref.chromatic,
                  self.use_features)

    @property
    def reference_size(self) -> tuple[int, int]:
        """(width, height) of the reference image."""
        return self.ref.size

    def context(self, frame_bgr: np.ndarray) -> FrameContext:
        """Validate a frame and prepare the shared per-frame data."""
        frame = as_bgr_frame(frame_bgr, "frame")
        h, w = frame.shape[:2]
        if min(h, w) < 16:
            raise ValueError(f"frame is too small ({w}x{h})")
        scale = min(1.0, self.config.search_side / max(h, w))
        return FrameContext(frame, FramePyramid(self.ref.grey(frame)), scale)

    def detect(self, frame_bgr: np.ndarray) -> Detection | None:
        """Detect the reference in one frame (no history). Returns None when not found."""
        return self.detect_ctx(self.context(frame_bgr))

    # -- pose from a prior (tracking) -------------------------------------------------------

    def refine_ctx(self, ctx: FrameContext, h_init: np.ndarray, accept: float | None = None,
                   levels: tuple[int, ...] | None = None) -> Detection | None:
        """Refine a predicted pose (from the previous frame) and verify it.

        Tracking aligns with the 64-px template only: the 128-px one costs ~3x as much, and the
        One-Euro filter after it removes the extra frame-to-frame noise of the coarser template.
        """
        levels = (1,) if levels is None else levels
        thr = self.config.accept_score if accept is None else accept
        # The inverse-compositional aligner is quick and settles most frames. A weak fit from it
        # (below track_confident) gets ECC as well, and the better verified pose wins: alone,
        # it let a lantern's pose creep 10-20 px over three frames after a re-acquisition,
        # its score sinking from 0.79 to 0.66 while still passing.
        # A print reaching beyond the frame's edge is aligned and verified on its part inside
        # the frame; ECC, which cannot leave out the rest, is not tried then.
        cfg = self.config
        partial = self._visible_fraction(ctx, h_init) < 1.0
        best: tuple[float, np.ndarray] | None = None
        for attempt in (0,) if partial else (0, 1):
            if attempt == 0:
                res = ic_refine(ctx.pyr, self._ic, h_init, self.ref.size, levels, iters=20, partial=partial)
            else:
                res = ecc_refine(ctx.pyr, self.ref.templates, h_init, self.ref.size, levels, iters=20, margin_frac=0.12)
            if res is not None:
                score = self._verified_score(ctx, res[0], cfg.track_min_visible)
                if score >= thr and (best is None or score > best[0]):
                    best = (score, res[0])
            if best is not None and best[0] >= cfg.track_confident:
                break
        if best is None:
            return None
        return Detection.from_homography(best[1], self.ref.size, best[0], "track")

    # -- full detection ------------------------------------------------------------------------

    def detect_ctx(self, ctx: FrameContext, priors: Sequence[np.ndarray] = ()) -> Detection | None:
        """Full detection; a frame with a colour cast that gave nothing is tried once more, balanced.

        ``priors`` are extra pose hypotheses (the tracker's guesses where a lost print went);
        they are ranked, aligned and verified like the detector's own.

        Only as a retry: balancing every frame whose brightest pixels are tinted also "corrects"
        frames without a cast (a lilac wall is indistinguishable from a cast) and lost 2-5
        points of recall on the bench, while the retry cannot lose a detection.
        """
        cfg = self.config
        top = None
        if cfg.dark_level > 0 and brightest_block(ctx.bgr) < cfg.dark_level:
            # An underexposed frame's colours and edges, brightened for the hypotheses only
            # (alignment and verification ignore gain). The block test spares the bright-patch
            # statistics (0.35 ms) on the frames that are plainly bright enough: nearly all.
            top = bright_patch(ctx.bgr)
            gain = exposure_gain(top, cfg.dark_level) if top is not None else 1.0
            if gain > 1.0:
                ctx = FrameContext(ctx.bgr, ctx.pyr, ctx.search_scale, cv2.convertScaleAbs(ctx.search, alpha=gain),
                                   gain)
        found = self._detect_once(ctx, priors=priors)
        # Textured references do not rest on colour (their hypotheses come from texture).
        if found is None and cfg.white_balance_ratio > 0 and not self.use_features:
            top = bright_patch(ctx.bgr) if top is None else top
            gains = cast_gains(top, cfg.white_balance_ratio) if top is not None else None
            if gains is not None:
                # Only the colour cues change: the retry keeps the grey pyramid (alignment and
                # correlation ignore gain and bias) and skips the colour-blind hypotheses
                # (edge outlines, busy patches, features), which already failed on this frame.
                # (Retrying only when balancing brings card-coloured pixels back cost as much
                # median time on the bench and recovered a third fewer cast frames.)
                balanced = FrameContext(ctx.bgr, ctx.pyr, ctx.search_scale, apply_gains(ctx.search, gains),
                                        ctx.search_gain)
                found = self._detect_once(balanced, colour_only=True)
        return found

    def _detect_once(self, ctx: FrameContext, colour_only: bool = False,
                     priors: Sequence[np.ndarray] = ()) -> Detection | None:
        cfg = self.config
        if ctx.search_scale < 1.0:
            grey_search = self.ref.grey(ctx.search)
        else:
            grey_search = ctx.pyr.levels[0]
            if ctx.search_gain != 1.0:
                grey_search = cv2.convertScaleAbs(grey_search, alpha=ctx.search_gain)
        if ctx.likelihoods is None:
            ctx.likelihoods = self.ref.likelihoods(ctx.search)
        to_frame = 1.0 / ctx.search_scale
        cues = cue_maps(ctx.likelihoods, grey_search, to_frame, cfg.min_apparent_px)
        if self._ink_gate:
            ctx.ink_seen = cv2.integral(cv2.threshold(cues.ink, INK_CELL - 1, 1, cv2.THRESH_BINARY)[1])
            if ctx.ink_seen[-1, -1] < INK_MIN_CELLS:  # (next to) no ink colour anywhere: no view can verify
                return None
        # Colour cues first (card regions, ink blobs, the tracker's priors): they give most
        # detections, and when one of the best of them fits and verifies strongly, the frame is
        # done before the card regions are cut apart and the outlines traced.
        # Ranked by a cheap correlation with the 32-px template.
        raw = [(0.0, h0, "prior") for h0 in priors]
        regions = card_regions(cues, cfg.max_candidates)
        if ctx.ink_seen is not None:
            # A card region without ink colour near it: the poses it gives (its quad, the moments
            # of its ink, the same of its parts) lie in its box, and none could verify.
            regions = [r for r in regions
                       if box_inked(ctx.ink_seen, (*r.origin, r.fill.shape[1], r.fill.shape[0]), INK_REACH)]
        raw += card_hypotheses(self.ref, cues, regions, grey_search, to_frame, cfg.angles_per_candidate)
        raw += ink_hypotheses(self.ref, cues, to_frame, cfg.max_candidates, cfg.angles_per_candidate,
                              () if colour_only else tuple(cfg.ink_gaps))
        ranked = self._ranked(ctx, raw)
        # Measured on bench scenes: no hypothesis that ended verified ranked below 0.1 here.
        quick = {id(h): s for s, h in ranked}
        best: tuple[float, np.ndarray] | None = None
        coarse: list[tuple[float, np.ndarray]] = []
        finished: set[int] = set()
        # The early tries: the best ``fine_candidates`` colour hypotheses are aligned at once,
        # each fit that passes the coarse alignment also finely; one verified at
        # ``early_exit_score`` ends the search. Otherwise their results are kept for when the
        # ranking of all hypotheses reaches them (and dropped if it does not).
        tried: dict[int, tuple[tuple[float, np.ndarray] | None, list[tuple[float, np.ndarray]], set[int]]] = {}
        for h0 in dedupe([h for s, h in ranked if s >= cfg.min_quick_score], self.ref.size, cfg.fine_candidates):
            c0: list[tuple[float, np.ndarray]] = []
            f0: set[int] = set()
            b0 = self._coarse_step(ctx, h0, quick[id(h0)], None, c0, f0, finish=True)
            if b0 is not None and b0[0] >= cfg.early_exit_score:
                best, coarse, finished = b0, c0, f0
                break
            tried[id(h0)] = (b0, c0, f0)
        if best is None:
            late = recut_card_hypotheses(self.ref, cues, regions, grey_search, to_frame, cfg.angles_per_candidate,
                                         cfg.card_tone_split)
            late += strong_ink_hypotheses(self.ref, cues, to_frame, cfg.max_candidates, cfg.angles_per_candidate,
                                          () if colour_only else tuple(cfg.ink_gaps))
            if not colour_only:  # neither depends on colour: the white-balance retry skips them
                late += neutral_ink_hypotheses(self.ref, self._neutral_ink, cues, grey_search, to_frame,
                                               cfg.max_candidates, cfg.angles_per_candidate)
                late += outline_hypotheses(self.ref, cues, ctx.search, to_frame, cfg.max_candidates,
                                           cfg.max_edge_quads, self._ref_busy, ctx.ink_seen, INK_REACH)
            later = self._ranked(ctx, late)
            quick.update((id(h), s) for s, h in later)
            ranked = sorted(ranked + later, key=lambda t: -t[0])
            hyps = dedupe([h for s, h in ranked if s >= cfg.min_quick_score], self.ref.size, cfg.refine_candidates)
            for h0 in hyps:
                if id(h0) in tried:
                    b0, c0, f0 = tried[id(h0)]
                    coarse += c0
                    finished |= f0
                    if b0 is not None and (best is None or b0[0] > best[0]):
                        best = b0
                else:
                    best = self._coarse_step(ctx, h0, quick[id(h0)], best, coarse, finished)
                if best is not None and best[0] >= cfg.early_exit_score:
                    break
        coarse.sort(key=lambda t: -t[0])
        # Fine alignment with the 64-px template for each survivor; the 128-px polish (three
        # times the cost) only for the one that verified best, not for every wrong hypothesis.
        if best is None or best[0] < cfg.early_exit_score:
            for _, h1 in coarse[:cfg.fine_candidates]:
                if id(h1) in finished:
                    continue
                finished.add(id(h1))
                best = self._finish(ctx, h1, best, levels=(1,))
                if best is not None and best[0] >= cfg.early_exit_score:
                    break
        if (best is None or best[0] < cfg.accept_score) and self._shape is not None and not colour_only:
            best = self._shape_searched(ctx, best)
        searched = (best is None or best[0] < cfg.accept_score) and self._colour_search is not None and not colour_only
        colour: list[float] = []  # the colour search's correlations
        if searched:
            best = self._colour_searched(ctx, best, colour)
        if (best is None or best[0] < cfg.accept_score) and self.use_features and not colour_only:
            best = self._featured(ctx, best, [h for _, h in coarse[:REGION_FEATURES]],
                                  max(colour, default=-1.0) if searched else None)
        found = None
        if best is not None and best[0] >= cfg.accept_score:
            found = self._concluded(ctx, best)
        if found is None and not searched and self._colour_search is not None and not colour_only:
            # A wrong pose verified (so the search was skipped) and then failed its conclusion:
            # the colour matches still get their chance.
            again = self._colour_searched(ctx, None)
            if again is not None and again[0] >= cfg.accept_score:
                found = self._concluded(ctx, again)
        if found is not None and found.score < self._stretch_bar:
            found = None  # the score cannot tell this pose from a stretched one
        if found is not None and found.score < cfg.rival_check_below:
            found = self._unrivalled(ctx, found)
        return found

    def _self_stretch_score(self) -> float:
        """The best verification score of the 64-px template against itself zoomed in by 1.25
        about its centre along x, y or both (the rival starts' stretch; all pixels come from the
        mark, so no background is guessed)."""
        t = self.ref.templates[1][0].astype(np.float32)
        h, w = t.shape[:2]
        best = 0.0
        for sx, sy in ((0.8, 1.0), (1.0, 0.8), (0.8, 0.8)):
            m = np.array([[sx, 0, (1 - sx) * (w - 1) / 2], [0, sy, (1 - sy) * (h - 1) / 2]], np.float32)
            z = cv2.warpAffine(t, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
            best = max(best, match_score(self._vt[1], z))
        return best

    def _self_match(self, start: np.ndarray) -> float:
        """Correlation (verification's trimmed NCC, 64-px template, without the cell gates) of a
        clean print seen at pose ``start`` (reference px -> reference px) instead of its own;
        beyond the print, its border pixels continue."""
        t, k = self.ref.templates[1]
        m = scale_mat(k) @ start @ scale_mat(1.0 / k)
        return match_score(self._vt[1], warp_to_template(t.astype(np.float32), m, (t.shape[1], t.shape[0])),
                           min_cells=0.0)

    def _unrivalled(self, ctx: FrameContext, found: Detection) -> Detection | None:
        """``found`` if the frame fixes it: no known confusion verifies as well from its own start.

        Verification scores one pose; it does not say whether another pose scores as well. The
        confusions a frame can leave open are known: a print's plain margins or smooth, banded
        content let its fit slide or stretch along them (a thumb over one end, motion along the
        long side, a landscape's bands), and a nearly symmetric mark fits turned. So the pose is
        aligned again from starts stretched and shifted along each axis and from each self-match
        turn, occluded pixels left out when the plain fit fails. The best verified pose is the
        answer; when a pose that differs from it verifies within ``rival_lead``, the view is
        ambiguous and nothing is reported (poses within ``RIVAL_MIN_PX`` of each other are one
        answer). (A turn is not refused for coming close: the turn cue
        of ``_disambiguate`` decides between turns of the best pose.)

        A pose counts only if it verifies above the bar that could still change the answer: a
        stretched start within ``rival_lead`` of the best pose so far, a turn above it (turns
        are never rivals). Verification skips the stages that cannot lift a pose over that bar.
        The starts the mark rules out (``_rival_starts`` leaves them out) are aligned only when a
        turn verifies above the found pose: they may set the bar the turn must beat. (The turns
        are aligned first for that; each is then kept as if it had been aligned last.)
        """
        cfg = self.config
        h0 = found.homography
        poses = [(found.score, h0, "found")]
        turns: list[tuple[float, np.ndarray, str]] = []
        for undo in self._rival_turns:
            r = self._settled(ctx, h0 @ undo, max(p[0] for p in poses + turns))
            if r is not None:
                turns.append((*r, "turn"))
        for start in self._bar_starts if turns else self._rival_starts:
            r = self._settled(ctx, h0 @ start, max(p[0] for p in poses) - cfg.rival_lead)
            if r is not None:
                poses.append((*r, "stretch"))
        for turn in turns:
            if turn[0] > max(p[0] for p in poses):
                poses.append(turn)
        poses.sort(key=lambda t: -t[0])
        top = poses[0]
        # A rival differs from the best by more than 8 % of the size, and its corners by more than
        # the 5 px (mean, in the 640-px search image) a detection may be off: within that it is
        # the same answer.
        q = self._quad(top[1])
        rivals = [p for p in poses[1:] if p[2] != "turn" and self._corner_shift(top[1], p[1]) > 0.08
                  and float(np.sqrt(((self._quad(p[1]) - q) ** 2).sum(1)).mean()) * ctx.search_scale > RIVAL_MIN_PX]
        if rivals and rivals[0][0] > top[0] - cfg.rival_lead:
            return None
        if top[1] is h0:
            return found
        # When the better pose fails its conclusion, the first one is not trusted either.
        return self._conclusion(ctx, (top[0], top[1]))

    def _settled(self, ctx: FrameContext, start: np.ndarray, floor: float = 0.0) -> tuple[float, np.ndarray] | None:
        """(verified score, pose) after a fine alignment from ``start``, or None when it does not
        verify or verifies no better than ``floor``."""
        best = self._finish(ctx, start, None, levels=(1,), floor=floor)
        return best if best is not None and best[0] >= self.config.accept_score and best[0] > floor else None

    def _ranked(self, ctx: FrameContext, raw: list[tuple[float, np.ndarray, str]]) -> list[tuple[float, np.ndarray]]:
        """(quick correlation with the 32-px template, pose) of the plausible hypotheses, best first."""
        hs = [h0 for _, h0, _kind in raw]
        ranked = [(quick_score(ctx.pyr, self.ref.templates[0], h0, app, self._quick_tmpl), h0)
                  for h0, app in zip(hs, self._plausible_sizes(ctx, hs), strict=True) if app > 0]
        ranked.sort(key=lambda t: -t[0])
        return ranked

    def _coarse(self, ctx: FrameContext, h0: np.ndarray) -> tuple[np.ndarray, float] | None:
        """The 32-px ECC alignment of a hypothesis."""
        return ecc_refine(ctx.pyr, self.ref.templates, h0, self.ref.size, (0,), iters=COARSE_ITERS,
                          margin_frac=0.25, blur=ECC_BLUR, motion=COARSE_MOTION)

    def _coarse_step(self, ctx: FrameContext, h0: np.ndarray, quick: float, best: tuple[float, np.ndarray] | None,
                     coarse: list[tuple[float, np.ndarray]], finished: set[int],
                     finish: bool = False) -> tuple[float, np.ndarray] | None:
        """``best`` after the coarse alignment of hypothesis ``h0`` (quick correlation ``quick``).

        Its fit joins ``coarse`` (the fine alignment's candidates); a strong fit (or, with
        ``finish``, any that passes) is finished at once (and joins ``finished``): when it
        verifies well, the remaining hypotheses (usually all wrong) need no alignment at all.
        """
        cfg = self.config
        res = self._coarse(ctx, h0)
        if res is None:
            # The 32-px alignment fails on many good card outlines (a finger over a small
            # print); the finer levels still get a chance, ranked by the quick correlation
            # (a good outline scores 0.3-0.6 there, a coarse-aligned one 0.7-0.9 in ECC).
            coarse.append((cfg.min_coarse_cc + quick, h0))
            return best
        h1, cc = res
        # A coarse alignment this poor almost never verifies (glare and fingers lower it), and
        # skipping it spares the expensive fine alignment on most wrong hypotheses.
        if cc >= cfg.min_coarse_cc and self._plausible(ctx, h1):
            coarse.append((cc, h1))
            if finish or cc >= cfg.shortcut_cc:
                finished.add(id(h1))
                best = self._finish(ctx, h1, best, levels=(1,))
        return best

    def _concluded(self, ctx: FrameContext, best: tuple[float, np.ndarray]) -> Detection | None:
        """The polished, disambiguated and sanity-checked detection from the best verified pose.

        A pose refused here may be the print's card turned: a mark made of rings and arcs
        verifies turned by a quarter at ~0.85, where its turn cue then names no turn. So a
        refused pose is aligned again from the card's other turns (``_card_turns``), and the best
        of them that verifies better than it is concluded instead.
        """
        found = self._conclusion(ctx, best)
        if found is not None:
            return found
        turned = [r for r in (self._settled(ctx, best[1] @ t) for t in self._card_turns) if r is not None]
        top = max(turned, key=lambda t: t[0], default=None)
        if top is None or top[0] <= best[0]:
            return None
        return self._conclusion(ctx, top)

    def _conclusion(self, ctx: FrameContext, best: tuple[float, np.ndarray]) -> Detection | None:
        cfg = self.config
        # A large view's pose is polished with the 128-px template (and the 256-px one for hairline marks).
        if self._fine_levels(best[1]) != (1,):
            polished = self._finish(ctx, best[1], None, levels=(2,))
            # The polish must still verify; a wandering 128-px alignment keeps the 64-px pose.
            if polished is not None and polished[0] >= cfg.accept_score:
                best = polished
            best = self._fine_polished(ctx, best)
        if best[0] < cfg.accept_score:
            return None
        h, score = self._disambiguate(ctx, best[1], best[0])
        if score < cfg.accept_score:
            return None
        # A quad no camera could see a flat print as (a corner dragged under a finger, where
        # verification forgives it) is a distortion. Corner noise of a correct small view
        # reaches ~0.3 here (bench poses with 1 px noise: 99th percentile), a dragged corner 0.8.
        if perspective_inconsistency(h, (ctx.bgr.shape[1], ctx.bgr.shape[0])) > cfg.max_perspective_error:
            return None
        return Detection.from_homography(h, self.ref.size, score, "detect")

    def _fine_polished(self, ctx: FrameContext, best: tuple[float, np.ndarray]) -> tuple[float, np.ndarray]:
        """A large view of a hairline mark, aligned once more with the 256-px template.

        ECC, not the inverse-compositional aligner: with a template that is mostly plain card,
        the latter's fixed Hessian stalls at the start. A 2.3:1 hairline wordmark's detections
        were 6-11 px off at the corners (the 128-px template tilts the pose about its bold
        letters); after this 0.5-2 px (7 of 8), at ~20 ms once per detection. Verification
        cannot tell the two poses apart (both ~0.9), so the new pose is taken when it verifies.
        """
        if self._fine_polish is None or long_side(self._quad(best[1])) <= self.config.polish_px:
            return best
        res = ecc_refine(ctx.pyr, [self._fine_polish], best[1], self.ref.size, (0,),
                         iters=self.config.fine_iters, margin_frac=0.1, blur=ECC_BLUR)
        if res is None:
            return best
        score = self._verified_score(ctx, res[0])
        return (score, res[0]) if score >= self.config.accept_score else best

    def _disambiguate(self, ctx: FrameContext, h: np.ndarray, score: float) -> tuple[np.ndarray, float]:
        """Pick the right turn of a (near-)symmetric mark; returns the pose and its verified score.

        Each candidate turn is compared with the reference only on the pixels where the turns
        differ (the small orientation cue that breaks the symmetry), which occlusion-tolerant
        verification would otherwise forgive. A better turn is re-aligned and must verify.
        """
        if not self._sym_undo or self._sym_mask is None:
            return h, score
        undo = [np.eye(3), *self._sym_undo]
        cands = [h @ u for u in undo]
        scores = self._turn_cues(ctx, h, cands, undo)
        i = self._clear_turn(scores)
        if i is None:
            # The correlations name no turn: the evidence of the residuals may (a dot of a few
            # template pixels in a large view, which the 128-px cue pixels bury).
            return self._evidenced_turn(ctx, h, score)
        if i == 0:
            return h, score
        # Turning the pose is the risky move. A cue that leads by less than ``turn_lead`` is
        # measured again at the re-aligned turned pose (a turned pose starts a pixel or two off,
        # which blurs the cue), where it must name that pose. The turned pose must verify too.
        # When it does not, neither turn is reported: the cue clearly said the pose was turned.
        alt = self._realigned_turn(ctx, cands[i], undo, confirm=scores[i] < scores[0] + self.config.turn_lead)
        return (alt[1], alt[0]) if alt is not None else (h, 0.0)

    def _realigned_turn(self, ctx: FrameContext, hc: np.ndarray, undo: list[np.ndarray],
                        confirm: bool) -> tuple[float, np.ndarray] | None:
        """(verified score, pose) of a turned pose after re-alignment; with ``confirm``, its own cue must name it."""
        pose = self._realigned(ctx, hc)
        if pose is None:
            return None
        if confirm and self._clear_turn(self._turn_cues(ctx, pose, [pose @ u for u in undo], undo)) != 0:
            return None
        alt = self._verified_score(ctx, pose)
        return (alt, pose) if alt >= self.config.accept_score else None

    def _realigned(self, ctx: FrameContext, hc: np.ndarray) -> np.ndarray | None:
        """A turned pose after a short fine alignment, or None when it fails or is implausible."""
        res = ic_refine(ctx.pyr, self._ic, hc, self.ref.size, self._fine_levels(hc), iters=15)
        return res[0] if res is not None and self._plausible(ctx, res[0]) else None

    def _clear_turn(self, scores: list[float]) -> int | None:
        """Index of the turn the cue names, or None when it is hidden or names two turns equally.

        Reporting a turn then would often show the collectible upside down. (Bench: correct views
        mostly keep the best cue >= 0.54 and a lead >= 0.12; a finger and glare over a medallion
        once gave a wrong turn a lead of 0.08.)
        """
        i = int(np.argmax(scores))
        top = sorted(scores, reverse=True)
        if top[0] < self.config.min_turn_cue or top[0] - top[1] < self.config.min_turn_lead:
            return None
        return i

    def _evidenced_turn(self, ctx: FrameContext, h: np.ndarray, score: float) -> tuple[np.ndarray, float]:
        """The turn the cue's residuals name with enough evidence, its pose and verified score (0: refused).

        Every turn of the pose (``h @ undo``, the pose itself included) is aligned again the same
        way, so that each hypothesis gets an equally good fit (a turn compared at a less settled
        pose than its rival loses), and each is compared with the reference on the fine cue
        region (``_turn_residuals``). The turn that explains the cue best is taken when its
        evidence over the next best reaches ``min_turn_evidence`` (``_decisive_turn``) and its
        pose verifies; otherwise nothing is reported: a wrong turn would show the collectible
        upside down.
        """
        if self._cue is None:
            return h, 0.0
        poses = [self._realigned(ctx, h @ u) for u in (np.eye(3), *self._sym_undo)]
        poses[0] = h if poses[0] is None else poses[0]
        i = self._decisive_turn(*self._turn_residuals(ctx, h, poses))
        if i is None:
            return h, 0.0
        if i == 0:
            return h, score
        alt = self._verified_score(ctx, poses[i])  # type: ignore[arg-type]
        return (poses[i], alt) if alt >= self.config.accept_score else (h, 0.0)  # type: ignore[return-value]

    def _decisive_turn(self, residuals: list[float], cues: list[float], n_eff: float) -> int | None:
        """Index of the turn the residuals name, or None when the view cannot tell the turns apart.

        The evidence is the log-likelihood ratio of the best turn over the next best under
        Gaussian residuals whose variance the best turn's own fit sets: ``n_eff / 2 *
        log(second / best)`` for ``n_eff`` independent cue pixels. A small or blurred view has
        few of them, so its residuals must differ by far more than a large, sharp view's. The
        named turn must also show the cue: correlate with the reference there as well as a view
        must verify (``accept_score``). A pose on other line art that verified does not (a small
        red ring taken for a gold one, train: 0.67, with residuals whose misfit the Gaussian
        model takes for evidence), nor a view whose cue is covered; right turns on train and val
        seals did (0.71 and more).
        """
        order = np.argsort(residuals)
        best, second = residuals[order[0]], residuals[order[1]]
        if not math.isfinite(best) or cues[order[0]] < self.config.accept_score:
            return None
        evidence = 0.5 * n_eff * math.log(max(second, 1e-9) / max(best, 1e-9))
        return int(order[0]) if evidence >= self.config.min_turn_evidence else None

    def _turn_cues(self, ctx: FrameContext, h: np.ndarray, cands: list[np.ndarray],
                   undo: list[np.ndarray]) -> list[float]:
        """Correlation of each turned pose's view with the reference on the orientation cue (-1: not measurable)."""
        assert self._sym_mask is not None and self._sym_idx is not None
        sharp, k = self.ref.templates[2]
        th, tw = sharp.shape
        k64 = self.ref.templates[1][1]
        blur = None
        if verify(ctx.pyr, self.ref.templates[1], h, self.ref.size, prepared=self._vt[1]) < self.config.accept_score:
            # Verified only as a blurred view: its cue is smeared too, so each turn is compared
            # with the template smeared the same way (the motion's direction seen from that
            # turn's template, at this template's scale).
            blur = self._view_blur(ctx, h)
        scores = []
        for hc, u in zip(cands, undo, strict=True):
            tmpl = sharp if blur is None else motion_blur(sharp, *turned_motion(blur[0] * k / k64, blur[1], u))
            q = self._quad(hc)
            if not self._plausible(ctx, hc, q):
                scores.append(-1.0)
                continue
            sel = self._sym_idx  # flat indices: quicker to gather than a boolean mask
            a = tmpl.ravel()[sel]
            a = a - a.mean()
            b = frame_patch(ctx.pyr, (tw, th), k, hc, long_side(q)).ravel()[sel].astype(np.float32)
            b = b - b.mean()
            scores.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-6)))
        return scores

    def _symmetry_mask(self) -> np.ndarray | None:
        """Template pixels (128-px level) where the mark and its self-matching turns differ."""
        if not self._self_matches:
            return None
        tmpl, k = self.ref.templates[2]
        th, tw = tmpl.shape
        diff = np.zeros_like(tmpl)
        for m in self._self_matches:
            for rh in (m.ref_h, np.linalg.inv(m.ref_h)):
                t = scale_mat(k) @ rh @ scale_mat(1.0 / k)
                turned = warp_to_template(tmpl, t, (tw, th))
                diff = np.maximum(diff, np.abs(turned - tmpl))
        diff = cv2.GaussianBlur(diff, (5, 5), 0)
        mask = diff > max(8.0, 0.25 * float(diff.max()))
        return mask if mask.sum() >= 12 else None

    def _turn_residuals(self, ctx: FrameContext, h: np.ndarray,
                        poses: list[np.ndarray | None]) -> tuple[list[float], list[float], float]:
        """Residual energy and correlation of each turned pose's view on the cue region, and the cue's independent pixels.

        Compared at the resolution the view supports: the template side (``CUE_SIDES``) the view
        covers at about 1:1, so a small view is never credited with detail it cannot show. The
        template is blurred as much as the view (the blur of ``CUE_BLURS`` that correlates best
        with the view at ``h``, or for a small view that verifies only motion-blurred, that
        motion as seen from each turn's template), and gain and offset are fitted over the whole template, so the
        residual on the cue region is what the turn leaves unexplained there. inf: not measurable.
        """
        app = long_side(self._quad(h))
        side = max([s for s in CUE_SIDES if s <= app] or [CUE_SIDES[0]])
        tmpl, k = self.ref.template(side)
        th, tw = tmpl.shape
        cue, blurred = self._cue_at(side)
        view = frame_patch(ctx.pyr, (tw, th), k, h, app).astype(np.float32).ravel()
        j = int(np.argmax(blurred @ view))  # the blur that correlates best (rows are centred and unit-norm)
        tcs = [blurred[j]] * len(poses)
        # Neighbouring pixels of a blurred view are not independent: one per blur footprint.
        n_eff = float(cue.size) / (1.0 + CUE_BLURS[j] ** 2)
        motion = None
        if verify(ctx.pyr, self.ref.templates[1], h, self.ref.size, prepared=self._vt[1]) < self.config.accept_score:
            motion = self._view_blur(ctx, h)  # verified only as a motion-blurred view
        if motion is not None:
            # Each turn's template is smeared along the motion as seen from that turn's template.
            k64 = self.ref.templates[1][1]
            tcs = []
            for u in (np.eye(3), *self._sym_undo):
                length, angle = turned_motion(motion[0] * k / k64, motion[1], u)
                t = motion_blur(tmpl, length, angle).ravel()
                t = t - t.mean()
                tcs.append(t / (np.linalg.norm(t) + 1e-6))
            n_eff = float(cue.size) / (1.0 + motion[0] * k / k64)
        out, cues = [], []
        for pose, tc in zip(poses, tcs, strict=True):
            if pose is None or not self._plausible(ctx, pose):
                out.append(math.inf)
                cues.append(-1.0)
                continue
            v = view if pose is h else frame_patch(ctx.pyr, (tw, th), k, pose, app).astype(np.float32).ravel()
            gain = float(tc @ v)  # least squares v ~ gain * t + offset
            r = v[cue] - v.mean() - gain * tc[cue]
            out.append(float(r @ r))
            a, b = tc[cue] - tc[cue].mean(), v[cue] - v[cue].mean()
            cues.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-6)))
        return out, cues, n_eff

    def _cue_region(self) -> np.ndarray | None:
        """Where the mark and its self-matching turns differ, on the finest cue template (bool mask).

        Each self-match is fitted again on this template first: at 128 px a round seal's turned
        outline still sits a pixel off. The difference is signed and smoothed before it is
        thresholded: a turn that sits a fraction of a pixel off leaves thin bands of opposite sign
        along every stroke, which cancel, while a dot or notch that only one turn has stays. Half
        the largest difference.
        """
        if not self._self_matches:
            return None
        tmpl, k = self.ref.template(CUE_SIDES[-1])
        th, tw = tmpl.shape
        diff = np.zeros_like(tmpl)
        for m in self._self_matches:
            w3 = scale_mat(k) @ m.ref_h @ scale_mat(1.0 / k)
            try:  # copies: this OpenCV build's ECC writes into its inputs
                _, wf = cv2.findTransformECC(tmpl.copy(), tmpl.copy(), w3[:2].astype(np.float32), cv2.MOTION_AFFINE,
                                             (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-5), None, 3)
                wf3 = np.vstack([wf.astype(np.float64), [0, 0, 1]])
                w3 = wf3 if _is_turn(wf3, m.quarter_turns) else w3
            except cv2.error:
                pass
            for rh in (w3, np.linalg.inv(w3)):
                turned = warp_to_template(tmpl, rh, (tw, th))
                diff = np.maximum(diff, np.abs(cv2.GaussianBlur(turned - tmpl, (0, 0), 2.0)))
        mask = diff > 0.5 * float(diff.max())
        return mask if diff.max() > 8.0 and mask.sum() >= 12 else None

    def _cue_at(self, side: int) -> tuple[np.ndarray, np.ndarray]:
        """The cue region on the ``side``-px template (flat indices of every pixel it touches and
        their neighbours) and that template under each of ``CUE_BLURS`` (rows, flat, centred and
        of unit norm); made once per side."""
        if side not in self._cues:
            assert self._cue is not None
            tmpl = self.ref.template(side)[0]
            th, tw = tmpl.shape
            area = cv2.resize(self._cue.astype(np.float32), (tw, th), interpolation=cv2.INTER_AREA) > 0.02
            region = cv2.dilate(area.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            rows = np.stack([(tmpl if b == 0 else cv2.GaussianBlur(tmpl, (0, 0), b)).ravel() for b in CUE_BLURS])
            rows -= rows.mean(1, keepdims=True)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True) + 1e-6
            self._cues[side] = (np.flatnonzero(region), rows)
        return self._cues[side]

    def _finish(self, ctx: FrameContext, h: np.ndarray, best: tuple[float, np.ndarray] | None,
                levels: tuple[int, ...] = (2,), floor: float = 0.0) -> tuple[float, np.ndarray] | None:
        cfg = self.config
        if levels[0] == 1 and long_side(self._quad(h)) > cfg.polish_px:
            # A large view starts at the coarse level: the coarse fit is affine, and the perspective
            # it leaves (over 10 px on a tilted 200-px view) is beyond the 64-px aligner's reach.
            levels = (0, *levels)
        res = ic_refine(ctx.pyr, self._ic, h, self.ref.size, levels, iters=cfg.fine_iters, give_up=cfg.give_up)
        h2 = res[0] if res is not None else h
        score = self._verified_score(ctx, h2, floor=floor) if res is not None else 0.0
        if score <= 0.0:
            return best
        if best is None or score > best[0]:
            return score, h2
        return best

    def _corner_shift(self, h0: np.ndarray, h1: np.ndarray) -> float:
        """Largest corner displacement between two poses, relative to the first one's size."""
        q0, q1 = self._quad(h0), self._quad(h1)
        size = long_side(q0)
        return float(np.sqrt(((q1 - q0) ** 2).sum(1)).max()) / max(size, 1e-6)

    def _fine_levels(self, h: np.ndarray) -> tuple[int, ...]:
        """Template levels for the final alignment: the 128-px template only for large views.

        It costs about three times the 64-px one, and below ~130 px apparent size the 64-px
        template already samples the print at 2 frame px or finer. Between 130 and 160 px it
        still pays: bench corner error 0.83 -> 0.70 px at the same median time, and defocused
        thin held-out marks 6-8 px off came within 2-4 px (polish_px 160 -> 130).
        """
        q = self._quad(h)
        app = long_side(q)
        return (1,) if app <= self.config.polish_px else (1, 2)

    def _quad(self, h: np.ndarray) -> np.ndarray:
        return cv2.perspectiveTransform(self._corners, h).reshape(4, 2).astype(np.float64)

    def _plausible(self, ctx: FrameContext, h: np.ndarray, q: np.ndarray | None = None) -> bool:
        """Convex, not mirrored, big enough, not beyond ~75 degrees of tilt, centred near the frame.

        Plain float arithmetic on four corners: this runs for every hypothesis, where numpy's
        per-call overhead would dominate.
        """
        q = self._quad(h) if q is None else q
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q.tolist()
        xs, ys = (x0, x1, x2, x3), (y0, y1, y2, y3)
        if not all(math.isfinite(v) for v in xs + ys):
            return False
        dx = (x1 - x0, x2 - x1, x3 - x2, x0 - x3)
        dy = (y1 - y0, y2 - y1, y3 - y2, y0 - y3)
        for i in range(4):  # concave, self-crossing or mirrored quads have a non-positive turn
            j = (i + 1) % 4
            if dx[i] * dy[j] - dy[i] * dx[j] <= 0:
                return False
        sides = [math.hypot(dx[i], dy[i]) for i in range(4)]
        fh, fw = ctx.bgr.shape[:2]
        if max(sides) < self.config.min_apparent_px or min(sides) < 0.25 * self.config.min_apparent_px:
            return False
        if max(sides) > 6 * max(fw, fh):
            return False
        r1, r2 = sides[0] / sides[2], sides[1] / sides[3]
        if not (1 / 6 < r1 < 6 and 1 / 6 < r2 < 6):  # beyond ~75 degrees of tilt: useless (and usually wrong)
            return False
        cx, cy = sum(xs) / 4, sum(ys) / 4
        return -0.1 * fw <= cx <= 1.1 * fw and -0.1 * fh <= cy <= 1.1 * fh

    def _plausible_sizes(self, ctx: FrameContext, hs: list[np.ndarray]) -> list[float]:
        """``_plausible`` for many poses at once: each pose's apparent size, or 0 if implausible.

        One array pass instead of ~40 small per-pose calls (per-call overhead dominated them).
        The same checks as ``_plausible``, which stays in plain floats for single poses: routing
        those through this array version made detection 5 % slower.
        """
        if not hs:
            return []
        cfg = self.config
        c = np.array([[0, 0, 1], [self.ref.size[0], 0, 1], [self.ref.size[0], self.ref.size[1], 1],
                      [0, self.ref.size[1], 1]], np.float64)
        p = np.einsum("nij,kj->nki", np.asarray(hs, np.float64), c)  # (n, 4 corners, 3)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = p[..., :2] / p[..., 2:3]
            d = np.roll(q, -1, axis=1) - q  # side i: corner i -> i + 1
            turn = d[:, :, 0] * np.roll(d[:, :, 1], -1, axis=1) - d[:, :, 1] * np.roll(d[:, :, 0], -1, axis=1)
            sides = np.hypot(d[..., 0], d[..., 1])
            longest, shortest = sides.max(1), sides.min(1)
            r1, r2 = sides[:, 0] / sides[:, 2], sides[:, 1] / sides[:, 3]
            centre = q.mean(1)
            fh, fw = ctx.bgr.shape[:2]
            ok = (np.isfinite(q).all(axis=(1, 2)) & (turn > 0).all(1)
                  & (longest >= cfg.min_apparent_px) & (shortest >= 0.25 * cfg.min_apparent_px)
                  & (longest <= 6 * max(fw, fh))
                  & (r1 > 1 / 6) & (r1 < 6) & (r2 > 1 / 6) & (r2 < 6)
                  & (centre[:, 0] >= -0.1 * fw) & (centre[:, 0] <= 1.1 * fw)
                  & (centre[:, 1] >= -0.1 * fh) & (centre[:, 1] <= 1.1 * fh))
        return np.where(ok, longest, 0.0).tolist()

    def _verified_score(self, ctx: FrameContext, h: np.ndarray, min_visible: float | None = None,
                        floor: float = 0.0) -> float:
        """Verification score of pose ``h`` (0 when it fails a gate); see ``align.verify``.

        Stages that cannot lift the score above ``floor`` are skipped (the score is then at most
        ``floor``): the blurred fallback scores at most ``accept_score + 1 - blur_accept``, and
        the colour agreement only lowers a score.

        With ``min_visible`` (tracking), a view reaching beyond the frame is compared on its
        pixels inside the frame only. Detection keeps comparing the whole view (at least
        ``config.min_visible`` inside): same detections on the bench's frames either way, and no cost.
        """
        cfg = self.config
        if not self._plausible(ctx, h):
            return 0.0
        visible = self._visible_fraction(ctx, h)
        if visible < (cfg.min_visible if min_visible is None else min_visible):
            return 0.0
        partial = min_visible is not None and visible < 1.0
        score = verify(ctx.pyr, self.ref.templates[1], h, self.ref.size, prepared=self._vt[1], partial=partial)
        # The blurred fallback needs the view resolved along every direction, not only its long side:
        # ``min_apparent_px`` frame px across the mark's long side, however the pose squashes it (the
        # narrowest stretch of the pose at the mark's centre). The blurred templates keep no detail
        # finer than their blur, so in a view squashed below that the frame's few pixels across it
        # leave only blobs to compare, and a blob of the mark's own strokes (two of its letters seen
        # as a whole mark, turned and squashed) fits one of them as well as a blurred view of the mark.
        if (score < cfg.accept_score and not partial and cfg.accept_score + 1.0 - cfg.blur_accept > floor
                and narrowest_stretch(h, self.ref.size) * max(self.ref.size) >= cfg.min_apparent_px):
            blur = self._view_blur(ctx, h)
            if blur is not None:  # ranked by how far the blurred fit clears its own bar
                score = cfg.accept_score + blur[2] - cfg.blur_accept
        if score > floor:  # grey marks get the ink hue check only (a red copy of a black mark is not it)
            score *= self._colour_agreement(ctx, h, partial)
        if visible < cfg.min_visible and score < cfg.partial_accept:
            return 0.0
        return score

    def _view_blur(self, ctx: FrameContext, h: np.ndarray) -> tuple[float, float, float] | None:
        """(length, angle, score): the motion blur (64-px template px) under which a small view verifies, or None.

        Only a fallback for views that failed the sharp template: a blurred template fits more
        wrong patches, so it needs a higher score (``blur_accept``) and only small views get it,
        where a few frame pixels of motion smear the print by a large share of its size.
        """
        cfg = self.config
        if (cfg.blur_view_px <= 0 or min(self.ref.templates[1][0].shape) < BLUR_MIN_SIDE
                or long_side(self._quad(h)) > cfg.blur_view_px):
            return None
        if self._blur_bank is None:
            self._blur_bank = BlurBank.build(self.ref.templates[1][0])
        tmpl, k = self.ref.templates[1]
        patch = frame_patch(ctx.pyr, (tmpl.shape[1], tmpl.shape[0]), k, h, apparent_size(h, self.ref.size))
        i, top = self._blur_bank.best_fit(patch)
        # The blurred score is at most (1 + top) / 2: below the bar, no need to compute it.
        if i is None or 0.5 * top + 0.5 < cfg.blur_accept - 1e-4:
            return None
        score = self._blur_bank.score(patch, i)
        if score < cfg.blur_accept:
            return None
        return (*self._blur_bank.kernels[i], score)

    def _visible_fraction(self, ctx: FrameContext, h: np.ndarray) -> float:
        """Share of the pose's quad inside the frame.

        Outside the frame, verification would compare the template with replicated border
        pixels (stripes), which a large off-frame pose of a ring-like mark can pass.
        """
        q = self._quad(h).astype(np.float32)
        area = float(cv2.contourArea(q))
        if area <= 0:
            return 0.0
        fh, fw = ctx.bgr.shape[:2]
        rect = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32)
        inter, _ = cv2.intersectConvexConvex(q, rect)
        return float(inter) / area

    def _colour_agreement(self, ctx: FrameContext, h: np.ndarray, partial: bool = False) -> float:
        """Fraction-like check that the ink of the warped frame has the reference ink colours (0: another ink).

        A grey look-alike (a shadow, a printed copy in black) fails the colour model, even when
        the structure correlates well. Line art drawn like the mark in a neighbouring ink (red for
        gold) passes the colour model, whose hue bins are smoothed for white-balance slack, and
        fails the ink's hue relative to its card (``ink_hue.py``), which a cast does not move.
        """
        ink_hue = self._ink_hue_model()
        w = self.ref.size[0]
        size = (ink_hue.ink.shape[1], ink_hue.ink.shape[0])  # the 64-px class sampling grid
        m = scale_mat(ctx.search_scale) @ h @ scale_mat(1.0 / (size[0] / w))
        patch = cv2.warpPerspective(ctx.search, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_REPLICATE)
        ink = ink_hue.ink.copy()
        inside = inframe_mask(size, size[0] / w, h, (ctx.bgr.shape[1], ctx.bgr.shape[0])) if partial else None
        if inside is not None:
            ink &= inside
        if ink.sum() < 4:
            return 1.0
        if ink_hue.agreement(patch, inside) < 0.5:  # the median ink hue is another ink's
            return 0.0
        if not self.ref.chromatic:
            return 1.0
        # Ink colour anywhere in the 3x3 neighbourhood counts: thin strokes (a wordmark's text)
        # fall off their sampling points with a pixel of misalignment; a grey copy has no
        # ink colour near any of them.
        lik = cv2.dilate(self.ref.likelihood(patch), np.ones((3, 3), np.uint8))[ink]
        frac = np.count_nonzero(lik > 25) / lik.size
        # Blur and small prints mix ink with card, so a third of the ink pixels in colour is
        # already a true print; a grey copy has almost none.
        return float(np.clip(0.5 + frac, 0.0, 1.0))

    def _ink_hue_model(self) -> InkHue:
        """The reference's ink and its hue on the 64-px class sampling grid (``_colour_agreement``), made once."""
        if self._ink_hue is None:
            w, hgt = self.ref.size
            ws = self.ref.work_scale * 0.25
            size = (max(8, round(w * ws)), max(8, round(hgt * ws)))
            self._ink_hue = InkHue.build(cv2.resize(self.ref.bgr, size, interpolation=cv2.INTER_AREA),
                                         cv2.resize(self.ref.ink_mask.astype(np.uint8), size,
                                                    interpolation=cv2.INTER_NEAREST) > 0, not self.ref.chromatic)
        return self._ink_hue

    # -- hypothesis generators -----------------------------------------------------------------

    def _colour_searched(self, ctx: FrameContext, best: tuple[float, np.ndarray] | None,
                         seen: list[float] | None = None) -> tuple[float, np.ndarray] | None:
        """``best`` after aligning and verifying the best colour template matches (textured references).

        The matches of the coarse pyramid levels come first; the finest level (40-px views, about
        half of the search's cost) is searched only when none of them verified
        (``ColourTemplateSearch.staged``). ``seen`` gets the correlation of each match tried.
        """
        assert self._colour_search is not None
        cfg = self.config
        for v, h0 in self._colour_search.staged(ctx.search, 1.0 / ctx.search_scale, top=cfg.texture_search):
            if seen is not None:
                seen.append(v)
            res = self._coarse(ctx, h0)
            if res is None or res[1] < cfg.texture_search_cc or not self._plausible(ctx, res[0]):
                continue
            best = self._finish(ctx, res[0], best, levels=(1,))
            if best is not None and best[0] >= cfg.accept_score:
                break
        return best

    def _shape_searched(self, ctx: FrameContext, best: tuple[float, np.ndarray] | None) -> tuple[float, np.ndarray] | None:
        """``best`` after aligning and verifying the shape matcher's poses (line art, ``shape_match.py``).

        Ranked and aligned like the other hypotheses; a pose whose coarse fit fails still gets
        the fine alignment from where the matcher put it.

        Chromatic line art (``ctx.ink_seen``): a pose whose ink has another ink's hue where the
        matcher put it (colour agreement 0, ``_colour_agreement``) is not aligned. The hue is
        a chroma-weighted median over the mark's ink points, so the few pixels the matcher's
        pose is off do not move it: every shape pose that went on to verify on train quick and
        val scored 0.95 or more there, while nine in ten poses on line-art negatives score 0.
        """
        assert self._shape is not None
        cfg = self.config
        raw = [(s, h, "shape") for s, h in self._shape.hypotheses(self._shape.levels(ctx.pyr, ctx.search_scale),
                                                                    top=cfg.shape_hypotheses)]
        if ctx.ink_seen is not None:
            raw = [r for r in raw if self._colour_agreement(ctx, r[1]) > 0.0]
        for _, h0 in self._ranked(ctx, raw)[:cfg.refine_candidates]:
            res = self._coarse(ctx, h0)
            ok = res is not None and res[1] >= cfg.min_coarse_cc and self._plausible(ctx, res[0])
            best = self._finish(ctx, res[0] if ok else h0, best, levels=(1,))
            if best is not None and best[0] >= cfg.accept_score:
                break
        return best

    def _featured(self, ctx: FrameContext, best: tuple[float, np.ndarray] | None,
                  regions: list[np.ndarray], colour: float | None = None) -> tuple[float, np.ndarray] | None:
        """``best`` after local-feature hypotheses of a textured reference (``features.py``).

        ORB over the whole frame first, then SIFT inside the box around each of ``regions`` (the
        best coarse fits, which did not verify), scaled to a long side of ``REGION_MIN_PX`` to
        ``REGION_BOX_PX``: SIFT over the whole frame costs 100-130 ms, inside such a box 5-30 ms,
        and the views ORB misses (small, blurred) are where the other hypotheses already pointed.
        The boxes are described only when the colour search's best match (``colour``, None: it did
        not run) reached ``REGION_MIN_COLOUR``.
        """
        assert self._features is not None
        grey = cv2.cvtColor(ctx.search, cv2.COLOR_BGR2GRAY)
        h0 = self._features.pose(grey, ctx.search_scale)
        if h0 is not None:
            best = self._finish(ctx, h0, best, levels=(0, 1))
        sh, sw = grey.shape
        if colour is not None and colour < REGION_MIN_COLOUR:
            regions = []
        for hr in regions:
            if best is not None and best[0] >= self.config.accept_score:
                break
            q = self._quad(hr) * ctx.search_scale
            (x0, y0), (x1, y1) = q.min(0), q.max(0)
            m = REGION_MARGIN * max(x1 - x0, y1 - y0)
            box = (max(0, int(x0 - m)), max(0, int(y0 - m)), min(sw, int(x1 + m) + 1), min(sh, int(y1 + m) + 1))
            if min(box[2] - box[0], box[3] - box[1]) < 16:
                continue
            assert self._region_features is not None
            h0 = self._region_features.pose(grey, ctx.search_scale, box, REGION_BOX_PX, REGION_MIN_PX)
            if h0 is not None:
                best = self._finish(ctx, h0, best, levels=(0, 1))
        return best

