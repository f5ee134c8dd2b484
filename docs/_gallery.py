"""A sphinx-gallery image scraper for the figures otdiv builds without pyplot.

otdiv's figure functions (``otdiv.divergences.figures``, ``otdiv.bias.figures``) return a
bare :class:`matplotlib.figure.Figure`, which pyplot does not know, so the standard
matplotlib scraper (which saves pyplot's open figures) never sees them. This one saves
every bare Figure the example's code holds in a variable, once.
"""

from __future__ import annotations


def bare_figures(block, block_vars, gallery_conf, **kwargs):
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    seen = block_vars.setdefault("otdiv_bare_figures_seen", set())
    paths = []
    for value in list(vars(block_vars["fake_main"]).values()):
        if (isinstance(value, Figure) and id(value) not in seen
                and getattr(value.canvas, "manager", None) is None):
            seen.add(id(value))
            path = block_vars["image_path_iterator"].next()
            value.savefig(path, dpi=100, bbox_inches="tight")
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
