"""A guide's two grids: fix steps × causes (with the checklist) and answers × causes, one form each.

views: the pages and their URLs; data: each grid read in a fixed number of queries; saves: a POST
checked whole, then written through the models; cells: a cell's radio buttons; words: each word
with its meaning and the engine's number.
"""
