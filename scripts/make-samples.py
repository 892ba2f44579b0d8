# Writes samples/mixed.jsonl: hand-written texts for the README run. Deterministic; rerun to regenerate.
import json
H = {
"h01": "My grandmother kept bees behind the shed until she was ninety. Every August she'd pull the frames herself, swatting at me when I tried to help, and we'd spin the honey in a hand-cranked extractor that squealed like a gull. The jars went to the church sale, except for two she hid in the flour bin for winter colds. I still can't buy supermarket honey without thinking it tastes of nothing at all, which is unfair to the supermarket but there you go.",
"h02": "Took the 6:40 ferry to the island on Saturday and honestly the crossing was the best part. Fog sat on the water so thick you couldn't see the bow from the stern, and the foghorn went every two minutes. The cafe on the pier was shut for renovations so we ate crisps on a wet bench and watched a seal steal bait from some kid's line. Would go again, but bring a flask.",
"h03": "Re: the boiler question upthread. Ours did the same thing, pressure dropping to about 0.5 bar overnight, and it turned out to be a weeping valve on the towel radiator in the bathroom, not the boiler at all. Took the plumber ten minutes to find it with a bit of tissue paper wrapped round each joint. Check the radiators before you pay for a new expansion vessel, that's my two pence.",
"h04": "The 1911 census return for the farm lists eleven people, including a 'visitor' aged fourteen whose surname matches nobody else in the household. Parish records show she married the younger son in 1919, which suggests the visit lasted rather longer than the enumerator expected. I have not yet found her baptism, and the spelling of her name changes three times between documents, which is typical of rural registers of that period.",
"h05": "we lost 3-1 again. the keeper was fine, it's the back four that can't hold a line to save their lives. second goal was a joke, two of them stood watching the ball bounce like it was a nature documentary. manager says the squad is young and learning but we've been learning since about 2009 and i would like, just once, to have learnt something.",
"h06": "Soak the chickpeas overnight, then simmer them with a bay leaf and half an onion until they squash easily between your fingers, about an hour and a bit. Keep a mug of the cooking water. Blend with tahini, lemon, a small clove of garlic and enough of that water to make it loose, because it thickens as it cools. Tinned chickpeas work too but peel them if you can be bothered; it makes a difference you can actually taste.",
"h07": "Night shift on the ward is a different planet. The lights go down at ten, the monitors keep their own rhythm, and you learn which patients sleep through the obs and which ones want to talk about their late husband at three in the morning. I had one gentleman explain the entire offside rule to me with sugar packets. I still don't understand it but I understood that he needed to explain it to someone.",
"h08": "The bridge on the old coach road was rebuilt in 1843 after a flood carried away two of its three arches. Masons reused the original cutwaters, which is why the upstream face looks older than the parapet above it. A datestone set into the east side gives the year and the initials of the county surveyor. Cattle still cross it in summer, and the council has twice refused to widen it for lorries.",
"h09": "Anyone else find the new update makes the battery drain like mad? Phone was lasting two days, now it's dead by teatime. Tried turning off the always-on display and the location stuff, made maybe a tiny difference. Support chat said to factory reset which, no thanks, I have eleven years of photos on there and I don't trust the backup as far as I could throw it.",
"h10": "I taught myself to knit during a very long winter and the first thing I made was a scarf that got wider as it went, because I kept accidentally adding stitches. My brother wore it anyway, proudly, for three years. It was shaped like a trumpet by the end. The second thing I made was a hat that fitted nobody, and the third was a jumper I'm still wearing now, with one sleeve slightly longer than the other.",
"h11": "Spent the afternoon re-pointing the garden wall with lime mortar. The old stuff came out with a teaspoon in places, which tells you how long it has been. Mixing it is slow and you have to keep the new joints damp for days or they crack, so there is a lot of standing about with a plant mister feeling faintly ridiculous. The neighbour's cat supervised from the top of the wall throughout.",
"h12": "Our choir sang in the cathedral last night for the first time. The acoustic is enormous; you sing a note and it comes back to you a full two seconds later, so you have to trust the conductor and ignore your own ears. The altos came in early in the second piece and for about a bar it was chaos, but we recovered, and afterwards an old man in the front row told us it was the best thing he'd heard all year.",
}
S = {
"s01": "Beekeeping is a rewarding hobby that offers numerous benefits for both individuals and the environment. By maintaining healthy hives, beekeepers play a crucial role in supporting pollination, which is essential for the growth of many crops and wildflowers. Additionally, harvesting honey provides a delicious and natural product that can be enjoyed in a variety of ways. Overall, beekeeping is an excellent way to connect with nature while contributing to a more sustainable future for everyone involved.",
"s02": "Ferry travel offers a unique and enjoyable way to explore coastal destinations. Passengers can take in breathtaking views of the water, spot local wildlife such as seals and seabirds, and enjoy a relaxing journey away from busy roads. It is important to check the schedule in advance, dress appropriately for the weather, and bring snacks or refreshments. Overall, a ferry trip can be a memorable part of any island adventure and a great opportunity to create lasting memories.",
"s03": "Maintaining proper boiler pressure is essential for the efficient operation of your heating system. If you notice that the pressure is dropping, there are several potential causes to consider, including leaks in radiators, faulty valves, or issues with the expansion vessel. It is recommended to inspect visible joints carefully and consult a qualified heating engineer if the problem persists. By addressing these issues promptly, you can ensure that your system continues to operate safely and effectively.",
"s04": "Homemade hummus is a delicious and nutritious dish that is easy to prepare. To begin, soak dried chickpeas overnight and cook them until they are tender. Next, blend the chickpeas with tahini, fresh lemon juice, garlic, and a splash of the cooking liquid until smooth and creamy. Additionally, you can customize the flavor with spices such as cumin or paprika. Overall, making hummus at home allows you to enjoy a healthier and more flavorful version of this classic dip.",
"s05": "Learning to knit can be a fulfilling and relaxing experience that allows individuals to express their creativity. Beginners often start with simple projects such as scarves, which help them practice basic stitches and develop consistent tension. It is common to make mistakes along the way, but each project provides valuable lessons. Furthermore, knitting offers numerous mental health benefits, including reduced stress and improved focus. Overall, it is a wonderful hobby for people of all ages and skill levels.",
"s06": "Choral singing in large venues such as cathedrals presents both unique challenges and rewarding opportunities. The extended reverberation of these spaces requires singers to rely heavily on the conductor and maintain strong ensemble awareness. Additionally, careful attention to entries and timing is essential to avoid confusion. Despite these challenges, performing in such an inspiring environment can create a truly memorable experience for both the choir and the audience, fostering a deep sense of connection and shared appreciation.",
}
rows = []
def add(id, text, source, **kw):
    r = {"id": id, "text": text, "meta": {"source": source}}
    r.update(kw); rows.append(json.dumps(r, ensure_ascii=False))
order = ["h01","s01","h02","h03","s02","h04","h05","s03","h06","h07","s04","h08","h09","s05","h10","h11","s06","h12"]
for k in order:
    add(k, H.get(k) or S[k], "human" if k in H else "gpt-4")
# exact duplicates (whitespace and case differences only)
add("h02-copy", "  " + H["h02"].upper().lower().replace(". ", ".  "), "human")
add("s01-copy", S["s01"], "synthetic")
# near duplicates: boilerplate added, truncation, small edits
add("h06-repost", H["h06"] + " Posted from my phone, sorry for typos.", "human")
add("h08-edit", H["h08"].replace("1843", "1834").replace("lorries", "trucks"), "human")
add("s04-variant", S["s04"].replace("delicious and nutritious", "tasty and nutritious").replace("Overall,", "In summary,"), "gpt-4")
# repetitive spam
add("spam1", "BUY CHEAP WATCHES NOW!!! " * 20 + "\n" + "Best prices best watches best deals click here\n" * 10, "human")
add("spam2", "\n".join(["Click here to win a free prize today."] * 12), "human")
out = rows[:]
# a few bad lines, at fixed positions
out.insert(7, '{"id": "broken", "text": "this line was cut off in the middle of')
out.insert(12, '["not", "an", "object"]')
out.insert(16, json.dumps({"id": "no-text", "body": "the text is under the wrong key"}))
out.insert(20, json.dumps({"id": "num-text", "text": 42}))
with open("samples/mixed.jsonl", "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(len(out), "lines")
