"""Reference for voxelfm-bench surface-metrics: HD95 and ASSD of 20 real label pairs with MONAI.

setup: writes WORKDIR/ref/pair_NN.nii.gz (real masks and label maps from data/volumes: ct_spleen_labeled,
ct_mr_multiorgan, mni152 tissue labels) and WORKDIR/pred/pair_NN.nii.gz (the same map shifted, eroded or
dilated), plus WORKDIR/pairs.json naming each source and perturbation.
run: per pair and per class present in the reference (0 excluded), MONAI HausdorffDistanceMetric(percentile=95)
and SurfaceDistanceMetric(symmetric=True) with the voxel spacing; the timed part is the metric calls (the
one-hot tensors MONAI takes are built before). Prints seconds, the number of values and a checksum (sum of
every finite HD95 and ASSD); when voxelfm-bench has left WORKDIR/voxelfm_values.json (run.py runs it first),
also the largest relative difference between its values and MONAI's (`max_rel_diff`; non-finite values must
agree exactly, else they count in `mismatches`).
"""
import json, os, warnings

import nibabel as nib
import numpy as np
import scipy.ndimage as ndi
import torch

from common import arguments, best, emit

threads, phase, workdir, _ = arguments()
DATA = os.environ.get("VOXELFM_DATA",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data/volumes"))
if not os.path.isdir(DATA):
    DATA = "/work/shared/data/volumes"

# (source file, perturbation) × 20. Shifts are in voxels along (i, j, k).
PAIRS = [
    ("ct_spleen_labeled/sub-spleen2_ct_seg-manual.nii.gz", "shift 2 0 0"),
    ("ct_spleen_labeled/sub-spleen2_ct_seg-manual.nii.gz", "shift 0 3 1"),
    ("ct_spleen_labeled/sub-spleen2_ct_seg-manual.nii.gz", "erode"),
    ("ct_spleen_labeled/sub-spleen2_ct_seg-manual.nii.gz", "dilate"),
    ("ct_mr_multiorgan/example_seg.nii.gz", "shift 1 1 0"),
    ("ct_mr_multiorgan/example_seg.nii.gz", "erode"),
    ("ct_mr_multiorgan/example_seg.nii.gz", "dilate"),
    ("ct_mr_multiorgan/example_seg_mr.nii.gz", "shift 0 2 1"),
    ("ct_mr_multiorgan/example_seg_mr.nii.gz", "erode"),
    ("ct_mr_multiorgan/example_seg_mr.nii.gz", "dilate"),
    ("ct_mr_multiorgan/aorta_cta_cropped_aorta_mask.nii.gz", "shift 3 0 0"),
    ("ct_mr_multiorgan/aorta_cta_cropped_aorta_mask.nii.gz", "erode"),
    ("ct_mr_multiorgan/aorta_cta_cropped_aorta_mask.nii.gz", "dilate"),
    ("ct_mr_multiorgan/pulmonary_cta_cropped_pulmonary_artery_mask.nii.gz", "shift 0 0 2"),
    ("ct_mr_multiorgan/pulmonary_cta_cropped_pulmonary_artery_mask.nii.gz", "erode"),
    ("ct_mr_multiorgan/pulmonary_cta_cropped_pulmonary_artery_mask.nii.gz", "dilate"),
    ("mni152/mni152_pveseg.nii.gz", "shift 2 1 0"),
    ("mni152/mni152_pveseg.nii.gz", "erode"),
    ("ct_mr_multiorgan/example_seg_dicom.nii.gz", "shift 4 0 1"),
    ("ct_mr_multiorgan/example_seg_dicom.nii.gz", "dilate"),
]


def perturb(labels, how):
    """A plausible wrong segmentation: shifted, eroded (each class loses its boundary) or dilated."""
    if how.startswith("shift"):
        out = labels
        for axis, n in enumerate(int(v) for v in how.split()[1:]):
            if n:
                out = np.roll(out, n, axis=axis)
        return out
    cross = ndi.generate_binary_structure(3, 1)
    if how == "erode":
        # A voxel keeps its label only when its 6 neighbours carry the same label.
        same = ndi.minimum_filter(labels, footprint=cross) == ndi.maximum_filter(labels, footprint=cross)
        return np.where(same, labels, 0).astype(labels.dtype)
    if how == "dilate":
        grown = ndi.grey_dilation(labels, footprint=cross)
        return np.where(labels == 0, grown, labels).astype(labels.dtype)
    raise ValueError(how)


def setup():
    os.makedirs(os.path.join(workdir, "ref"), exist_ok=True)
    os.makedirs(os.path.join(workdir, "pred"), exist_ok=True)
    names = []
    for n, (source, how) in enumerate(PAIRS):
        image = nib.load(os.path.join(DATA, source))
        labels = np.asanyarray(image.dataobj).astype(np.uint8)
        header = image.header.copy()
        header.set_data_dtype(np.uint8)
        name = f"pair_{n:02d}.nii.gz"
        nib.save(nib.Nifti1Image(labels, image.affine, header), os.path.join(workdir, "ref", name))
        nib.save(nib.Nifti1Image(perturb(labels, how), image.affine, header), os.path.join(workdir, "pred", name))
        names.append({"file": name, "source": source, "perturbation": how})
    with open(os.path.join(workdir, "pairs.json"), "w") as f:
        json.dump(names, f, indent=1)
    emit({})


def load_pairs():
    pairs = []
    for n in range(len(PAIRS)):
        name = f"pair_{n:02d}.nii.gz"
        ref = nib.load(os.path.join(workdir, "ref", name))
        pred = np.asanyarray(nib.load(os.path.join(workdir, "pred", name)).dataobj)
        r = np.asanyarray(ref.dataobj)
        classes = [int(c) for c in np.unique(r) if c != 0]
        # MONAI's input: one-hot [B, C, i, j, k]; spacing is the affine's voxel sizes (as voxelfm's).
        p1 = torch.from_numpy(np.stack([pred == c for c in classes])[None])
        r1 = torch.from_numpy(np.stack([r == c for c in classes])[None])
        spacing = [float(v) for v in np.sqrt((ref.affine[:3, :3] ** 2).sum(axis=0))]
        pairs.append((name, classes, p1, r1, spacing))
    return pairs


def run():
    from monai.metrics import HausdorffDistanceMetric, SurfaceDistanceMetric
    warnings.filterwarnings("ignore")  # MONAI warns on every empty prediction (inf/nan is the point)
    pairs = load_pairs()
    hd = HausdorffDistanceMetric(include_background=True, percentile=95, reduction="none")
    sd = SurfaceDistanceMetric(include_background=True, symmetric=True, reduction="none")
    values = {}

    def body():
        for name, classes, p1, r1, spacing in pairs:
            h = hd(p1, r1, spacing=spacing)[0]
            a = sd(p1, r1, spacing=spacing)[0]
            values[name] = {str(c): [float(h[i]), float(a[i])] for i, c in enumerate(classes)}

    seconds = best(body, repeats=3, warmup=0)
    flat = [v for per in values.values() for pair in per.values() for v in pair]
    result = {"pairs": len(pairs), "values": len(flat), "seconds": seconds,
              "checksum": float(sum(v for v in flat if np.isfinite(v)))}
    ours_path = os.path.join(workdir, "voxelfm_values.json")
    if os.path.exists(ours_path):
        with open(ours_path) as f:
            ours = json.load(f)
        worst, mismatches = 0.0, 0
        for name, per in values.items():
            for c, pair in per.items():
                theirs = ours.get(name, {}).get(c)
                if theirs is None:
                    mismatches += 2
                    continue
                for a, b in zip(pair, theirs):
                    b = float(b)  # "inf" / "nan" strings for non-finite values
                    if np.isfinite(a) and np.isfinite(b):
                        worst = max(worst, abs(a - b) / max(abs(a), 1e-12))
                    elif not (a == b or (np.isnan(a) and np.isnan(b))):
                        mismatches += 1
        result["max_rel_diff"] = worst
        result["mismatches"] = mismatches
    emit(result)


if phase == "setup":
    setup()
else:
    run()
