"""Vendored front-end libraries (written by deploy/vendor_vis_timeline.sh; do not edit)."""

#: vis-timeline 8.5.4: the CSS its standalone build injects as <style> elements, by CSP hash
VIS_TIMELINE_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ATJNJCL6Wpn/tPBpNaKy3Ig13EdPxHee6ABd7iI5mws='",
    "'sha256-4cgFR0//m8/eHo2G/esYsuZetUHlzCUWYM59sfgE9zY='",
    "'sha256-gGUn/VMBXCeWm86qX/pOf+4ZDSbe0JcaXXb4rJjw1mA='",
    "'sha256-QuPewnJYr+SnQiTnCNHFBw99ExTsz9f8w5320PimEPw='",
    "'sha256-v0QGAkPIWT/V4bfkkxL6vDfyRDULSXZUBrHxAFR30lY='",
    "'sha256-c5RgAgDBfjnEymw+IboUyFPkkpdh8YEBSEryb+t1dMk='",
    "'sha256-Pp9TeUBeLNGvSpG/WQNr6F3PYBi3hh26KmQ3FkCtS/s='",
    "'sha256-JpD3E+Z6xKRloIXUfvynO2x74VKoQhS46cmzKyphJl4='",
    "'sha256-XBP/Oxjt3ECoRQDQ/Oy5mLhrX1dQxCIiptFACGjUcTs='",
    "'sha256-q+AlK1feXh8YLw+gxDqtezQZl8UqsWOM3W5c0pt//tg='",
    "'sha256-w0Te9S8PSkCwFxTBObrIR3XmcxltdxckbplgXIG85qk='",
    "'sha256-U3cY7+F4GcTGxjocx4JSltmifCzwxxzq20dqKX4Tpyc='",
    "'sha256-baaZQ3ax85WnC7GoHJg/b0c0Mc2RCKGK73AZ1RkuJn8='",
    "'sha256-w6U1+htdQc1k4FTNbX5Rk8gOIBBM7jVgmCKvXCQklGE='",
)
