"""A small picture of a part for browsing the history: the STL drawn isometric, flat shaded.

Drawn in the sandbox, from the binary STL the check job made (read with numpy: a mesh library
loaded into the sandbox worker slowed every job's CAD work by half). Matplotlib's Agg canvas draws the
triangles far to near (the painter's algorithm), which is plenty for a 128-pixel picture and needs
no display and no OpenGL. A mesh larger than a picture needs is capped: a file over
`MAX_STL_BYTES` is not read, and only the `MAX_TRIANGLES` largest triangles are drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SIZE_PX = 128
COLOUR = np.array([0.42, 0.62, 0.86])  # the same blue as the part in the viewport
LIGHT = np.array([0.4, -0.5, 0.77])
MAX_STL_BYTES = 64 * 1024 * 1024
MAX_TRIANGLES = 60_000


def warm() -> None:
    """Import the drawing libraries now (the sandbox worker does, before its jobs are forked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.backends.backend_agg
    import matplotlib.collections
    import matplotlib.figure


def read_stl(stl: Path) -> np.ndarray:
    """The triangles of a binary STL (the check job writes binary), shape (n, 3, 3); a file that
    is not one raises ValueError."""
    data = stl.read_bytes()
    if len(data) < 84:
        raise ValueError("the mesh file is too short to be an STL")
    count = int.from_bytes(data[80:84], "little")
    if len(data) != 84 + 50 * count:
        raise ValueError("the mesh file is not a binary STL")
    record = np.dtype([("normal", "<f4", 3), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])
    return np.frombuffer(data, dtype=record, count=count, offset=84)["vertices"].astype(float)


def render(stl: Path, png: Path, size_px: int = SIZE_PX, max_triangles: int = MAX_TRIANGLES) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

    size = stl.stat().st_size
    if size > MAX_STL_BYTES:
        raise ValueError(f"the mesh is {size >> 20} MB, more than a picture reads")
    corners = read_stl(stl)
    if not len(corners):
        raise ValueError("the mesh has no triangles")
    cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    areas = np.linalg.norm(cross, axis=1)
    if len(corners) > max_triangles:  # the largest triangles carry the picture
        keep = np.argsort(-areas)[:max_triangles]
        corners, cross, areas = corners[keep], cross[keep], areas[keep]
    face_normals = cross / np.where(areas > 0, areas, 1.0)[:, None]
    points = corners.reshape(-1, 3)
    middle = (points.min(axis=0) + points.max(axis=0)) / 2
    # Isometric view: rotate 45 degrees about Z, then tip the top towards the viewer.
    az, el = np.radians(-45.0), np.radians(35.264)
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(el), -np.sin(el)], [0, np.sin(el), np.cos(el)]])
    view = (rx @ rz)[[0, 2, 1]] * np.array([[1], [1], [-1]])  # screen x, screen y, depth
    vertices = (points - middle) @ view.T
    triangles = vertices.reshape(-1, 3, 3)
    normals = face_normals @ view.T
    facing = normals[:, 2] < 0  # towards the viewer (depth grows away from it)
    order = np.argsort(-triangles[facing][:, :, 2].mean(axis=1))
    shade = 0.35 + 0.65 * np.clip(-(normals[facing] @ (view @ LIGHT)), 0, 1)
    colours = np.clip(COLOUR[None, :] * shade[:, None], 0, 1)[order]

    figure = Figure(figsize=(1, 1), dpi=size_px)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    axes.add_collection(PolyCollection(triangles[facing][order][:, :, :2], facecolors=colours,
                                       edgecolors=colours, linewidths=0.2))
    extent = np.abs(vertices[:, :2]).max() * 1.08 or 1.0
    axes.set_xlim(-extent, extent)
    axes.set_ylim(-extent, extent)
    axes.set_aspect("equal")
    figure.savefig(png, dpi=size_px, transparent=True)
